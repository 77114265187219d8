import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { loadConfig } from "../config";

/**
 * Parses the `[vars]` into `c.var.config`. A middleware of its own, right after requestContext:
 * a bad variable then throws inside the chain, onError answers the 500 (and logs it), and the
 * request line requestContext writes afterwards shows that 500.
 */
export const withConfig = createMiddleware<AppEnv>(async (c, next) => {
  c.set("config", loadConfig(c.env));
  await next();
});
