import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../app-env";
import { createDb } from "../db/client";
import { log } from "./log";

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * First middleware of every request: a request id (the caller's, if sane) and the database
 * handle, and after the response one JSON log line. Errors are logged by onError, which has
 * answered them by the time this line is written.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const sent = c.req.header("x-request-id");
  const requestId = sent && REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("db", createDb(c.env.DB));

  try {
    await next();
  } finally {
    c.header("X-Request-Id", requestId);
    log(c.res.status >= 500 ? "error" : "info", "request", {
      requestId,
      method: c.req.method,
      route: routePath(c),
      path: c.req.path,
      status: c.res.status,
      durationMs: Date.now() - started,
      keyId: c.var.principal?.keyId ?? null,
    });
  }
});
