import { createRouter } from "../http/router";

export const pullReportRoutes = createRouter();
