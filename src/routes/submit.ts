import { createRouter } from "../http/router";

export const submitRoutes = createRouter();
