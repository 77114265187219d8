import { eq, type SQL, sql } from "drizzle-orm";
import type { Db, Param } from "../db/client";
import { type ScopeParams, scopeCheck } from "../db/lookups";
import { FREE_TO_CLAIM, pullEvents, type TaskRow, tasks } from "../db/schema";
import { freeExpiredLeases } from "./events";
import { type FilterParams, filterConditions } from "./filters";

/** One claim's identity: every task of one pull shares the lease. */
export type Lease = {
  leaseId: string;
  pulledBy: string;
  keyId: string;
  now: number;
  expiresAt: number;
};

export type LeaseParams = { [K in keyof Lease]: Param<Lease[K]> };

/** What one pull asks for, as the parameters of its statements. */
export type PullParams = {
  scope: ScopeParams;
  filters: FilterParams;
  limit: Param<number>;
  lease: LeaseParams;
};

export function scopeCondition(scope: ScopeParams): SQL {
  if (scope.queueId === undefined) return sql`project_id = ${scope.projectId}`;
  if (scope.queueId === null) return sql`project_id = ${scope.projectId} AND queue_id IS NULL`;
  return sql`project_id = ${scope.projectId} AND queue_id = ${scope.queueId}`;
}

/** Sets the lease on the tasks whose rowid `candidates` selects, returning them. */
export function claimRows(db: Db, candidates: SQL, lease: LeaseParams) {
  return db
    .update(tasks)
    .set({
      pulledAt: sql`${lease.now}`,
      pulledBy: sql`${lease.pulledBy}`,
      pulledByKeyId: sql`${lease.keyId}`,
      leaseId: sql`${lease.leaseId}`,
      leaseExpiresAt: sql`${lease.expiresAt}`,
      pullCount: sql`${tasks.pullCount} + 1`,
    })
    .where(sql`${tasks.id} IN (${candidates})`)
    .returning();
}

/**
 * Writes one open pull event per task the lease now holds (found through `tasks_lease_idx`).
 * Drizzle's insert-select wants every column in table order; raw `db.run` cannot be batched with
 * bound parameters in drizzle-orm 0.45, hence the builder.
 */
export function recordPullEvents(db: Db, leaseId: Param<string>) {
  const none = sql<null>`NULL`;
  return db.insert(pullEvents).select(
    db
      .select({
        id: none.as("id"),
        taskRowId: tasks.id,
        projectId: tasks.projectId,
        queueId: tasks.queueId,
        taskId: tasks.taskId,
        leaseId: sql<string>`${tasks.leaseId}`.as("lease_id"),
        pulledAt: sql<number>`${tasks.pulledAt}`.as("pulled_at"),
        pulledBy: sql<string>`${tasks.pulledBy}`.as("pulled_by"),
        keyId: tasks.pulledByKeyId,
        leaseExpiresAt: sql<number>`${tasks.leaseExpiresAt}`.as("lease_expires_at"),
        endedAt: none.as("ended_at"),
        endedBy: none.as("ended_by"),
        outcome: none.as("outcome"),
      })
      .from(tasks)
      .where(eq(tasks.leaseId, leaseId)),
  );
}

/**
 * The claim of SPEC §5.1 as four statements for one D1 batch (one round trip, one transaction):
 * free expired leases in scope, claim the first `limit` free tasks in priority order with a
 * single `UPDATE … WHERE id IN (SELECT … ORDER BY … LIMIT ?) RETURNING`, and record the events.
 */
export function claimStatements(db: Db, request: PullParams) {
  const { scope, filters, limit, lease } = request;
  const inScope = scopeCondition(scope);
  const conditions = [
    inScope,
    // The pullable condition of SPEC §5 minus lease expiry (expired leases were freed just
    // before): the claimable indexes' own WHERE, so SQLite walks them in claim order.
    FREE_TO_CLAIM,
    sql`(expires_at IS NULL OR expires_at > ${lease.now})`,
    ...filterConditions(filters),
  ];
  const candidates = sql`SELECT id FROM tasks WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY priority_rank DESC, created_at, task_id LIMIT ${limit}`;

  const [closeExpired, clearExpired] = freeExpiredLeases(db, inScope, lease.now);
  const claim = claimRows(db, candidates, lease);
  return [closeExpired, clearExpired, claim, recordPullEvents(db, lease.leaseId)] as const;
}

/** SQLite compares text bytewise (UTF-8), which is code point order; so does this. */
function compareText(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

/** Claim order. RETURNING rows come back in no guaranteed order, so every claim sorts them. */
export function byClaimOrder(a: TaskRow, b: TaskRow): number {
  return (
    b.priorityRank - a.priorityRank || a.createdAt - b.createdAt || compareText(a.taskId, b.taskId)
  );
}

/**
 * Every statement of one pull, for one D1 batch. The scope check rides along: when it fails the
 * claim matched nothing, because deleting a project or queue deletes its tasks, and freeing
 * expired leases is right in any scope.
 */
export function pullStatements(db: Db, request: PullParams) {
  return [scopeCheck(db, request.scope), ...claimStatements(db, request)] as const;
}
