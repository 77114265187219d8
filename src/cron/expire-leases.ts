import { and, isNotNull, lte, sql } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { tasks } from "../db/schema";
import { log } from "../http/log";
import { freeExpiredLeases } from "../pull/events";

/** One expired claim as the cron saw it: the task's rowid and the lease it held. */
export type ExpiredLease = { id: number; leaseId: string };

export type ExpireOptions = {
  /** Tasks per chunk; each chunk is one select and one batch of two statements. */
  chunkSize?: number;
  /** Chunks per run; what is left waits for the next minute's run. */
  maxChunks?: number;
};

export type ExpireSummary = {
  /** Tasks whose pull state was cleared. */
  expired: number;
  /** Open pull events closed with `timeout`. */
  eventsClosed: number;
  chunks: number;
  /** True when the run stopped at `maxChunks` with a full last chunk: more may be waiting. */
  backlogLeft: boolean;
  durationMs: number;
};

// 10 chunks × (1 select + a batch of 2 statements) = 30 queries per run, well under D1's
// 50-per-invocation limit of the free plan; 2 000 leases a minute drains any realistic backlog.
const DEFAULT_CHUNK_SIZE = 200;
const DEFAULT_MAX_CHUNKS = 10;

/**
 * The oldest expired leases, at most `limit`. It walks `tasks_lease_expiry_idx` (its WHERE is
 * `pulled_at IS NOT NULL`, repeated here so SQLite can pick it), so it reads only expired rows.
 * Awaiting it gives `ExpiredLease[]`; `toSQL()` shows the statement (the plan test uses it).
 */
export function selectExpiredLeases(db: Db, now: number, limit: number) {
  return db
    .select({ id: tasks.id, leaseId: sql<ExpiredLease["leaseId"]>`${tasks.leaseId}` })
    .from(tasks)
    .where(and(isNotNull(tasks.pulledAt), lte(tasks.leaseExpiresAt, now), isNotNull(tasks.leaseId)))
    .orderBy(tasks.leaseExpiresAt)
    .limit(limit);
}

/**
 * Ends the selected leases with outcome `timeout`, dated at each lease's own expiry, in one
 * batch. Between the select and this write a pull may have re-claimed a task, or its holder
 * extended it: every statement therefore matches the exact `(rowid, lease_id)` pair selected and
 * repeats `lease_expires_at <= now`, so a lease that is no longer the expired one is left alone.
 * The pairs travel as one JSON parameter, whatever their number (D1 binds at most 100).
 */
export async function closeExpiredLeases(
  db: Db,
  leases: ExpiredLease[],
  now: number,
): Promise<{ expired: number; eventsClosed: number }> {
  if (leases.length === 0) return { expired: 0, eventsClosed: 0 };

  const pairs = JSON.stringify(leases.map((lease) => [lease.id, lease.leaseId]));
  const selectedPairs = sql`SELECT value ->> 0, value ->> 1 FROM json_each(${pairs})`;
  const selected = sql`(${tasks.id}, ${tasks.leaseId}) IN (${selectedPairs})`;
  const [closeEvents, clearState] = freeExpiredLeases(db, selected, now);
  const [closed, cleared] = await db.batch([closeEvents, clearState]);

  return { expired: cleared.meta.changes, eventsClosed: closed.meta.changes };
}

/** Chunk after chunk until nothing expired is left or the run's chunk budget is spent. */
async function drainExpiredLeases(
  db: Db,
  now: number,
  limits: Required<ExpireOptions>,
  summary: ExpireSummary,
): Promise<void> {
  while (summary.chunks < limits.maxChunks) {
    const leases = await selectExpiredLeases(db, now, limits.chunkSize);
    if (leases.length === 0) return;

    const result = await closeExpiredLeases(db, leases, now);
    summary.chunks += 1;
    summary.expired += result.expired;
    summary.eventsClosed += result.eventsClosed;

    if (leases.length < limits.chunkSize) return;
  }
  summary.backlogLeft = true;
}

/**
 * The Cron Trigger's job (SPEC §5.5): close expired leases in bounded chunks. Pulls already
 * treat expired leases as free and close those in their own scope, so this is the safety net
 * that keeps history and stats right for tasks nobody pulls again. Idempotent: a second run
 * finds nothing to do. A failed run is logged at `error` and rethrown, so the invocation shows
 * as failed; chunks written before the failure stay written (each is its own batch).
 */
export async function expireLeases(
  env: Env,
  now: number,
  options: ExpireOptions = {},
): Promise<ExpireSummary> {
  const limits = {
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
    maxChunks: options.maxChunks ?? DEFAULT_MAX_CHUNKS,
  };
  const started = Date.now();
  const summary: ExpireSummary = {
    expired: 0,
    eventsClosed: 0,
    chunks: 0,
    backlogLeft: false,
    durationMs: 0,
  };
  const runAt = new Date(now).toISOString();

  try {
    await drainExpiredLeases(createDb(env.DB), now, limits, summary);
  } catch (err) {
    summary.durationMs = Date.now() - started;
    const error = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error ? err.stack : undefined;
    log("error", "cron.expire_leases", { now: runAt, ...summary, error, stack });
    throw err;
  }

  summary.durationMs = Date.now() - started;
  log("info", "cron.expire_leases", { now: runAt, ...summary });
  return summary;
}
