/** Which of a key's two budgets a request spends (SPEC §8). */
export type BudgetName = "api" | "pull";

export type Budget = { name: BudgetName; limit: number; windowSeconds: number };

/**
 * The limiter's answer. Being over the limit is an expected outcome, not an error: the
 * middleware turns `allowed: false` into the 429.
 */
export type RateDecision = {
  allowed: boolean;
  limit: number;
  /** Requests this budget still accepts right now, after this one. */
  remaining: number;
  /** Unix seconds at which `remaining` next grows: the oldest counted request leaves the window. */
  resetAt: number;
  /** Whole seconds to wait before a retry can succeed; only on a refusal. */
  retryAfter?: number;
};

/**
 * The window just before this request: how many accepted requests it holds, and when the one
 * whose departure next raises `remaining` was made (the oldest, or further in when a lowered
 * limit left the window over-full). Null when the window is empty.
 */
export type WindowState = { used: number; releasingAt: number | null };

/**
 * Sliding-window log: a request is accepted when fewer than `limit` accepted requests fall in
 * the last `windowSeconds`. Unlike a fixed window or GCRA (which lets a full burst through and
 * then keeps refilling, up to 2·limit−1 in one window), this never accepts more than `limit`
 * in any span of `windowSeconds` — the literal reading of "N requests per W seconds".
 */
export function decide(budget: Budget, window: WindowState, now: number): RateDecision {
  const windowMs = budget.windowSeconds * 1000;
  const allowed = window.used < budget.limit;
  const slotFreesAt = (window.releasingAt ?? now) + windowMs;

  if (allowed) {
    return {
      allowed,
      limit: budget.limit,
      remaining: budget.limit - window.used - 1,
      resetAt: Math.ceil(slotFreesAt / 1000),
    };
  }
  return {
    allowed,
    limit: budget.limit,
    remaining: 0,
    resetAt: Math.ceil(slotFreesAt / 1000),
    retryAfter: Math.max(1, Math.ceil((slotFreesAt - now) / 1000)),
  };
}
