import { type SQL, sql } from "drizzle-orm";
import type { Db, Param } from "../db/client";
import { assertScopeFound, scopeCheck } from "../db/lookups";
import { preparedBatch, runPreparedBatch } from "../db/prepared-batch";
import { FREE_TO_CLAIM, type TaskRow, tasks } from "../db/schema";
import { claimRows, type Lease, type LeaseParams, recordPullEvents } from "./claim";
import { freeExpiredLeases } from "./events";
import { type FilterParams, filterConditions, filterValues, type PullFilters } from "./filters";
import { filterPlaceholders, LEASE_PLACEHOLDERS, queuePlaceholder } from "./prepared-pull";

export const BATCH_FAILURE_REASONS = [
  "NOT_FOUND",
  "NOT_SERVER_TASK",
  "ALREADY_PULLED",
  "DELETED",
  "EXPIRED",
  "FILTERED_OUT",
  "LIMIT_REACHED",
  "DUPLICATE_IN_REQUEST",
] as const;
export type BatchFailureReason = (typeof BATCH_FAILURE_REASONS)[number];
export type BatchFailure = { task_id: string; reason: BatchFailureReason };

/** What the batch still knows of a task it did not claim, read after the claim. */
type AfterState = {
  task_id: string;
  source: string;
  deleted_at: number | null;
  expires_at: number | null;
  pulled_at: number | null;
  pushed_at: number | null;
  lease_id: string | null;
  matches: number;
};

export type ClaimByIdsRequest = {
  projectId: string;
  taskIds: string[];
  /** A queue id, `null` for project-level tasks only, or `undefined` for any. */
  queueId?: string | null;
  filters: PullFilters;
  limit: number;
  lease: Lease;
};

function queueCondition(queueId: Param<string> | null | undefined): SQL[] {
  if (queueId === undefined) return [];
  return [queueId === null ? sql`queue_id IS NULL` : sql`queue_id = ${queueId}`];
}

/** Why a task the claim did not take was not taken, from its state right after the claim. */
function reasonFor(row: AfterState | undefined, now: number): BatchFailureReason {
  if (!row) return "NOT_FOUND";
  if (row.deleted_at !== null) return "DELETED";
  if (row.source !== "server") return "NOT_SERVER_TASK";
  if (row.expires_at !== null && row.expires_at <= now) return "EXPIRED";
  if (row.pulled_at !== null || row.pushed_at !== null) return "ALREADY_PULLED";
  if (row.matches === 0) return "FILTERED_OUT";
  return "LIMIT_REACHED";
}

/** Every requested id that the claim did not take, with its reason, in request order. */
function classifyMisses(taskIds: string[], after: AfterState[], lease: Lease): BatchFailure[] {
  const byId = new Map(after.map((row) => [row.task_id, row]));
  const failed: BatchFailure[] = [];
  const seen = new Set<string>();
  for (const taskId of taskIds) {
    if (seen.has(taskId)) {
      failed.push({ task_id: taskId, reason: "DUPLICATE_IN_REQUEST" });
      continue;
    }
    seen.add(taskId);
    const row = byId.get(taskId);
    if (row?.lease_id !== lease.leaseId) {
      failed.push({ task_id: taskId, reason: reasonFor(row, lease.now) });
    }
  }
  return failed;
}

/** The statements' parameters: values, or placeholders for a prepared batch. */
type ByIdsParams = {
  projectId: Param<string>;
  idsJson: Param<string>;
  queueId?: Param<string> | null;
  filters: FilterParams;
  limit: Param<number>;
  lease: LeaseParams;
};

/** The claim and the read-back of every requested row, sharing one id list and one filter. */
function batchStatements(db: Db, params: ByIdsParams) {
  const { projectId, idsJson, lease } = params;
  const requested = sql`project_id = ${projectId}
    AND task_id IN (SELECT value FROM json_each(${idsJson}))`;
  const filters = [...queueCondition(params.queueId), ...filterConditions(params.filters)];
  const passesFilters = filters.length > 0 ? sql.join(filters, sql` AND `) : sql`1`;

  const candidates = sql`SELECT tasks.id FROM json_each(${idsJson}) AS req
    JOIN tasks ON tasks.project_id = ${projectId} AND tasks.task_id = req.value
    WHERE ${FREE_TO_CLAIM} AND (expires_at IS NULL OR expires_at > ${lease.now})
      AND ${passesFilters}
    ORDER BY req.key LIMIT ${params.limit}`;
  const afterState = db
    .select({
      task_id: tasks.taskId,
      source: tasks.source,
      deleted_at: tasks.deletedAt,
      expires_at: tasks.expiresAt,
      pulled_at: tasks.pulledAt,
      pushed_at: tasks.pushedAt,
      lease_id: tasks.leaseId,
      matches: sql<number>`CASE WHEN ${passesFilters} THEN 1 ELSE 0 END`,
    })
    .from(tasks)
    .where(requested);

  const [closeExpired, clearExpired] = freeExpiredLeases(db, requested, lease.now);
  return [
    scopeCheck(db, { projectId }),
    closeExpired,
    clearExpired,
    claimRows(db, candidates, lease),
    recordPullEvents(db, lease.leaseId),
    afterState,
  ] as const;
}

/**
 * Batch pull by ids (SPEC §5.2) in one D1 batch: free expired leases among the ids, claim the
 * pullable ones that pass the filters in request order up to `limit`, record the events, and
 * read every requested row back so each miss gets a precise reason from the same snapshot.
 */
export async function claimByIds(
  db: Db,
  request: ClaimByIdsRequest,
): Promise<{ claimed: TaskRow[]; failed: BatchFailure[] }> {
  const uniqueIds = [...new Set(request.taskIds)];
  const queue = queuePlaceholder(request.queueId);
  const filters = filterValues(request.filters);
  const slots = filterPlaceholders(filters);

  const batch = preparedBatch(db, `pull-by-ids:${queue.kind}:${slots.names}`, () =>
    batchStatements(db, {
      projectId: sql.placeholder("projectId"),
      idsJson: sql.placeholder("idsJson"),
      queueId: queue.param,
      filters: slots.params,
      limit: sql.placeholder("limit"),
      lease: LEASE_PLACEHOLDERS,
    }),
  );
  const results = await runPreparedBatch(db, batch, {
    ...filters,
    ...request.lease,
    projectId: request.projectId,
    idsJson: JSON.stringify(uniqueIds),
    queueId: request.queueId,
    limit: request.limit,
  });
  // batchStatements: scope check, close expired events, clear expired leases, claim, events,
  // read-back.
  assertScopeFound(results.rows<{ queue: number }>(0), { projectId: request.projectId });
  const claimed = results.rows<TaskRow>(3);
  const after = results.rows<AfterState>(5);

  // The claim took tasks in request order; RETURNING lost it, so restore it.
  const position = new Map(uniqueIds.map((taskId, index) => [taskId, index]));
  const inRequestOrder = (a: TaskRow, b: TaskRow) =>
    (position.get(a.taskId) ?? 0) - (position.get(b.taskId) ?? 0);
  return {
    claimed: claimed.sort(inRequestOrder),
    failed: classifyMisses(request.taskIds, after, request.lease),
  };
}
