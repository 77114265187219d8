import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../app-env";
import { loadConfig } from "../config";
import { createDb } from "../db/client";
import { log } from "./log";

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * First middleware of every request: a request id (the caller's, if sane), the config and the
 * database handle, and after the response one JSON log line. Errors are logged by onError.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const sent = c.req.header("x-request-id");
  const requestId = sent && REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("db", createDb(c.env.DB));

  try {
    c.set("config", loadConfig(c.env));
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
