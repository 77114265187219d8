import { ApiError } from "../http/errors";
import { log } from "../http/log";
import type { Budget, RateDecision } from "./decision";

/**
 * Calls the key's object. If it cannot answer, the request is refused with 503 before it does
 * anything: failing open would let a key past its limit unseen.
 */
export async function callKeyObject<T>(
  env: Env,
  objectName: string,
  requestId: string,
  call: (object: DurableObjectStub<import("./rate-limiter").RateLimiter>) => Promise<T>,
): Promise<T> {
  try {
    return await call(env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(objectName)));
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log("error", "rate_limiter_unavailable", { requestId, error });
    throw new ApiError("SERVICE_UNAVAILABLE", "Rate limiter unavailable; nothing was changed");
  }
}

export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(decision.resetAt),
  };
}

/** A refused decision as the 429 of SPEC §8, with `Retry-After` and the `X-RateLimit-*` set. */
export function assertAllowed(decision: RateDecision, budget: Budget): void {
  if (decision.allowed) return;
  const retryAfter = decision.retryAfter ?? 1;
  const rate = `${budget.limit} ${budget.name} requests per ${budget.windowSeconds} s`;
  throw new ApiError(
    "RATE_LIMIT_EXCEEDED",
    `Rate limit exceeded: ${rate}; retry in ${retryAfter} s`,
    { budget: budget.name, limit: budget.limit, window_seconds: budget.windowSeconds },
    { ...rateLimitHeaders(decision), "Retry-After": String(retryAfter) },
  );
}
