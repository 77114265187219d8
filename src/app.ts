import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app-env";
import { authenticate } from "./auth/authenticate";
import { assertProjectAccess } from "./auth/principal";
import { ApiError } from "./http/errors";
import { onError, onNotFound } from "./http/on-error";
import { requestContext } from "./http/request-context";
import { createRouter } from "./http/router";
import { withConfig } from "./http/with-config";
import { apiKeyRoutes } from "./routes/api-keys";
import { healthRoutes } from "./routes/health";
import { projectManagementRoutes } from "./routes/project-management";
import { projectRoutes } from "./routes/projects";
import { pullRoutes } from "./routes/pull";
import { pullLeaseRoutes } from "./routes/pull-leases";
import { pullReportRoutes } from "./routes/pull-reports";
import { queueOperationRoutes } from "./routes/queue-operations";
import { submitRoutes } from "./routes/submit";
import { taskManagementRoutes } from "./routes/task-management";
import { taskRoutes } from "./routes/tasks";

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** A key bound to a project gets 403 on every route of any other project (SPEC §3). */
const requireProjectAccess = createMiddleware<AppEnv, "/api/v1/projects/:projectId">(
  async (c, next) => {
    assertProjectAccess(c.var.principal, c.req.param("projectId"));
    await next();
  },
);

/** Builds the whole HTTP surface: middleware in request order, then the routes. */
export function createApp() {
  const app = createRouter();

  app.use(requestContext);
  app.use(withConfig);
  app.onError(onError);
  app.notFound(onNotFound);

  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
  });
  // Registered before the auth middleware, so the document and docs page need no key.
  app.doc31("/api/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "TaskEcho Edge API",
      version: "1.0.0",
      description: "Pull-based task hub: push task lists, pull server tasks with leases.",
    },
    security: [{ ApiKey: [] }],
  });
  app.get("/docs", Scalar({ url: "/api/v1/openapi.json", pageTitle: "TaskEcho Edge API" }));
  app.route("/", healthRoutes);

  app.use(
    "/api/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", "Request body exceeds 5 MB");
      },
    }),
  );
  app.use("/api/v1/*", authenticate);
  app.use("/api/v1/projects/:projectId", requireProjectAccess);
  app.use("/api/v1/projects/:projectId/*", requireProjectAccess);

  // Pull routes first: `/tasks/pull` must win over `/tasks/{taskId}`.
  app.route("/api/v1", pullRoutes);
  app.route("/api/v1", pullLeaseRoutes);
  app.route("/api/v1", pullReportRoutes);
  app.route("/api/v1", submitRoutes);
  app.route("/api/v1", apiKeyRoutes);
  app.route("/api/v1", projectManagementRoutes);
  app.route("/api/v1", projectRoutes);
  app.route("/api/v1", queueOperationRoutes);
  app.route("/api/v1", taskManagementRoutes);
  app.route("/api/v1", taskRoutes);

  return app;
}
