import { createRouter } from "../http/router";

export const taskManagementRoutes = createRouter();
