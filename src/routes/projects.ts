import { createRouter } from "../http/router";

export const projectRoutes = createRouter();
