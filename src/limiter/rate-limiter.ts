import { DurableObject } from "cloudflare:workers";
import type { Principal } from "../auth/principal";
import { type Budget, decide, type RateDecision } from "./decision";
import { KEY_RECHECK_MS, readKey } from "./key-record";

/** What one call answers: who the key is (null: unknown or revoked) and, if known, the limit. */
export type Authorization = { principal: Principal | null; decision: RateDecision | null };

/**
 * The rate limiter of one API key (SPEC §8), holding both of the key's budgets. Each key has
 * its own object, named `keyObjectName(keyHash)` (`key:<sha-256 hex>`): a request carries only
 * the key, so its hash is what the middleware can address. The ADMIN_TOKEN, which has no row,
 * uses the object named `admin-token`.
 *
 * Why it is exact: an object runs one call's JavaScript at a time, and its input gate delivers
 * no other call while one waits on storage. `admit` goes further: it reads the window, decides
 * and records the request without a single `await` (the SQLite API is synchronous), so there
 * is no point at which another call could interleave. Concurrent calls for one key are strictly
 * serialized, no two can see the same count, and a burst of N+k requests against a limit of N
 * gets exactly N through. The reply also waits until the write is durable (the output gate),
 * so a crash cannot forget a request that was let through.
 *
 * The log lives in the object's SQLite storage, so it survives eviction and restarts. It holds
 * at most `limit` rows per budget: refused requests are not recorded, and rows that left the
 * window are deleted on the next call.
 */
export class RateLimiter extends DurableObject<Env> {
  private readonly used = new Map<string, number>();
  private known: { principal: Principal; readAt: number } | null = null;
  /** Bumped by `forget`, so a D1 read that started before a revocation is never cached. */
  private epoch = 0;

  /**
   * Authentication and rate limiting in one call, so a request costs one round trip to its
   * key's object instead of a D1 lookup plus this call. The object remembers its key's row for
   * KEY_RECHECK_MS; revoking or editing a key through the API calls `forget` before it answers,
   * so those take effect on the very next request (or, if `forget` cannot be delivered, within
   * KEY_RECHECK_MS).
   */
  async authorize(
    keyHash: string,
    budget: Budget,
    now: number = Date.now(),
  ): Promise<Authorization> {
    const principal = await this.principalOf(keyHash, now);
    if (!principal) return { principal: null, decision: null };
    return { principal, decision: this.admit(budget, now) };
  }

  /** Drops what the object remembers of its key (after a revoke or an edit). */
  forget(): void {
    this.known = null;
    this.epoch += 1;
  }

  private async principalOf(keyHash: string, now: number): Promise<Principal | null> {
    if (this.known && now - this.known.readAt < KEY_RECHECK_MS) return this.known.principal;

    const epoch = this.epoch;
    const principal = await readKey(this.env.DB, keyHash);
    // Calls interleave while D1 answers; a `forget` meanwhile means this read may be stale.
    // An unknown key is not remembered: it costs a read each time, as it did before.
    if (principal && epoch === this.epoch) this.known = { principal, readAt: now };
    return principal;
  }

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Synchronous, so it completes before the first call is delivered.
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS hits (bucket TEXT NOT NULL, at INTEGER NOT NULL);
       CREATE INDEX IF NOT EXISTS hits_bucket_at ON hits (bucket, at);`,
    );
  }

  /**
   * Spends one request of `budget` if it has room. Never throws for "over the limit": that is
   * `allowed: false` with the seconds to wait. `now` (epoch ms) exists so tests can drive the
   * clock; callers leave it out.
   */
  admit(budget: Budget, now: number = Date.now()): RateDecision {
    const sql = this.ctx.storage.sql;
    const windowStart = now - budget.windowSeconds * 1000;

    const left = sql.exec(
      "DELETE FROM hits WHERE bucket = ? AND at <= ?",
      budget.name,
      windowStart,
    );
    const used = this.counted(budget.name) - left.rowsWritten;
    // With a lowered limit the window can hold more than `limit`: the request that must leave
    // before another fits is then further in than the oldest.
    const [releasing] = sql
      .exec<{ at: number }>(
        "SELECT at FROM hits WHERE bucket = ? ORDER BY at LIMIT 1 OFFSET ?",
        budget.name,
        Math.max(0, used - budget.limit),
      )
      .toArray();

    const decision = decide(budget, { used, releasingAt: releasing?.at ?? null }, now);
    if (decision.allowed) {
      sql.exec("INSERT INTO hits (bucket, at) VALUES (?, ?)", budget.name, now);
    }
    this.used.set(budget.name, used + (decision.allowed ? 1 : 0));
    return decision;
  }

  /**
   * Rows in a bucket's log. Counted once per object lifetime, then kept in memory: the object is
   * the log's only writer, and a COUNT(*) per call would grow with a generous limit.
   */
  private counted(bucket: string): number {
    const cached = this.used.get(bucket);
    if (cached !== undefined) return cached;
    return this.ctx.storage.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM hits WHERE bucket = ?", bucket)
      .one().n;
  }
}
