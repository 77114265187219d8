import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../http/errors";
import { log } from "../http/log";
import { budgetFor } from "./budgets";
import type { Budget, RateDecision } from "./decision";

function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(decision.resetAt),
  };
}

/**
 * One RPC to the key's own limiter object. If the object cannot answer, the request is refused
 * with 503 before it does anything: failing open would let a key past its limit unseen.
 */
async function admit(env: Env, keyId: string, budget: Budget, requestId: string) {
  try {
    const limiter = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(keyId));
    return await limiter.admit(budget);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log("error", "rate_limiter_unavailable", { requestId, keyId, error });
    throw new ApiError("SERVICE_UNAVAILABLE", "Rate limiter unavailable; nothing was changed");
  }
}

/**
 * Per-key rate limiting (SPEC §8), after `authenticate`: every key, the ADMIN_TOKEN included
 * (key id `admin-token`), spends its pull or API budget, and every response it gets carries
 * `X-RateLimit-*`. Over the limit, the request stops here with 429 and `Retry-After`.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const budget = budgetFor(c.req.method, c.req.path, c.var.config);
  const decision = await admit(c.env, c.var.principal.keyId, budget, c.var.requestId);
  const headers = rateLimitHeaders(decision);

  if (!decision.allowed) {
    const retryAfter = decision.retryAfter ?? 1;
    const rate = `${budget.limit} ${budget.name} requests per ${budget.windowSeconds} s`;
    throw new ApiError(
      "RATE_LIMIT_EXCEEDED",
      `Rate limit exceeded: ${rate}; retry in ${retryAfter} s`,
      { budget: budget.name, limit: budget.limit, window_seconds: budget.windowSeconds },
      { ...headers, "Retry-After": String(retryAfter) },
    );
  }

  await next();
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
});
