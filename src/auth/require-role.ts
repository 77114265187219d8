import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import type { ApiKeyRole } from "../db/schema";
import { forbidden } from "../http/errors";
import { assertRole } from "./principal";

/**
 * Route middleware (`middleware:` of createRoute) that lets a key through only with `needed` or
 * a higher role. zod-openapi runs route middleware before the validators, so a key without the
 * role gets 403 rather than a 400 about a body it was never allowed to send.
 *
 * `unbound`: the key must not be bound to a project either. Routes outside
 * `/projects/{projectId}` are not covered by the project-binding check, so a bound key would
 * reach every project through them.
 */
export function requireRole(needed: ApiKeyRole, options: { unbound?: boolean } = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const principal = c.var.principal;
    assertRole(principal, needed);
    if (options.unbound && principal.projectId !== null) {
      const bound = principal.projectId;
      throw forbidden(
        `This endpoint needs a key bound to no project; this one is bound to ${bound}`,
      );
    }
    await next();
  });
}
