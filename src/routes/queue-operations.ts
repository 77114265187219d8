import { createRouter } from "../http/router";

export const queueOperationRoutes = createRouter();
