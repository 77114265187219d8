import { createRouter } from "../http/router";

export const projectManagementRoutes = createRouter();
