import { createRouter } from "../http/router";

export const pullRoutes = createRouter();
