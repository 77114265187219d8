import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { assertRole } from "../auth/principal";

/**
 * Route middleware for every management route. It runs before the body and path validators
 * (zod-openapi puts route middleware first), so a client key gets 403 rather than a 400 about a
 * body it was never allowed to send.
 */
export const requireManager = createMiddleware<AppEnv>(async (c, next) => {
  assertRole(c.var.principal, "manager");
  await next();
});
