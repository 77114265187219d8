import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import { hasRole, type Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { requireTask } from "../db/lookups";
import { pullEvents, type TaskRow, tasks } from "../db/schema";
import { ApiError, forbidden } from "../http/errors";
import { endClaims, isLeaseLive } from "./events";

export type Releaser = { principal: Principal; identity: string; now: number };

/**
 * Ends the leases `where` selects with outcome `released` and returns the rowids it released.
 * A lease that ran out before this call is closed as a `timeout` instead, and not returned.
 */
async function releaseWhere(db: Db, where: SQL, by: Releaser): Promise<number[]> {
  const [closeExpired, clearExpired, closeEvents, clearState] = endClaims(db, where, {
    outcome: "released",
    endedBy: by.identity,
    at: by.now,
  });
  const [, , , released] = await db.batch([
    closeExpired,
    clearExpired,
    closeEvents,
    clearState.returning({ id: tasks.id }),
  ]);
  return released.map((row) => row.id);
}

/** Did this lease already end in a release? Then repeating that release is a no-op, not a 409. */
async function wasReleased(db: Db, task: TaskRow, leaseId: string): Promise<boolean> {
  const event = await db
    .select({ outcome: pullEvents.outcome })
    .from(pullEvents)
    .where(and(eq(pullEvents.taskRowId, task.id), eq(pullEvents.leaseId, leaseId)))
    .get();
  return event?.outcome === "released";
}

/**
 * Release of one task (SPEC §5.3). With a `lease_id` it is fenced: only that lease may be
 * released, and a stale one is a 409. Without one, only the holder's key or a manager may.
 */
export async function releaseTask(
  db: Db,
  target: { projectId: string; taskId: string; leaseId?: string },
  by: Releaser,
): Promise<{ released: boolean }> {
  const task = await requireTask(db, target.projectId, target.taskId);

  if (target.leaseId !== undefined && task.leaseId !== target.leaseId) {
    if (await wasReleased(db, task, target.leaseId)) return { released: false };
    throw new ApiError("LEASE_MISMATCH", `lease_id is not the current lease of ${task.taskId}`);
  }
  const live = isLeaseLive(task, by.now);
  if (target.leaseId === undefined) {
    if (!live) return { released: false };
    const holder = task.pulledByKeyId === by.principal.keyId;
    if (!holder && !hasRole(by.principal, "manager")) {
      throw forbidden("Only the key that holds the lease, or a manager, may release it");
    }
  }

  const lease = task.leaseId as string;
  const released = await releaseWhere(db, sql`id = ${task.id} AND lease_id = ${lease}`, by);
  if (released.length === 0 && target.leaseId !== undefined && live) {
    // Taken over between our read and our write: the caller's lease is gone.
    throw new ApiError("LEASE_MISMATCH", `lease_id is not the current lease of ${task.taskId}`);
  }
  // An expired lease was not held any more: it is closed as a timeout and nothing is released.
  return { released: released.length > 0 };
}

export type ReleaseFailure = { task_id: string; reason: "NOT_FOUND" | "NOT_PULLED" | "FORBIDDEN" };

/** Batch release (SPEC §5.3): one read, one write batch, a reason for every id not released. */
export async function releaseTasks(
  db: Db,
  target: { projectId: string; taskIds: string[] },
  by: Releaser,
): Promise<{ released: string[]; failed: ReleaseFailure[] }> {
  const idsJson = JSON.stringify([...new Set(target.taskIds)]);
  const rows = await db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.projectId, target.projectId),
        isNull(tasks.deletedAt),
        sql`task_id IN (SELECT value FROM json_each(${idsJson}))`,
      ),
    );
  const byId = new Map(rows.map((row) => [row.taskId, row]));

  const failed: ReleaseFailure[] = [];
  const toRelease: TaskRow[] = [];
  for (const taskId of new Set(target.taskIds)) {
    const task = byId.get(taskId);
    if (!task) failed.push({ task_id: taskId, reason: "NOT_FOUND" });
    else if (!isLeaseLive(task, by.now)) failed.push({ task_id: taskId, reason: "NOT_PULLED" });
    else if (task.pulledByKeyId !== by.principal.keyId && !hasRole(by.principal, "manager")) {
      failed.push({ task_id: taskId, reason: "FORBIDDEN" });
    } else toRelease.push(task);
  }
  if (toRelease.length === 0) return { released: [], failed };

  // Each task is released only under the lease we saw, so a lease taken over meanwhile stays.
  // Two IN lists are as strict as matching pairs: one claim's tasks share a lease, and a task
  // can only move to a newer lease, never to another listed one.
  const rowIds = JSON.stringify(toRelease.map((task) => task.id));
  const leaseIds = JSON.stringify(toRelease.map((task) => task.leaseId));
  const cleared = new Set(
    await releaseWhere(
      db,
      sql`id IN (SELECT value FROM json_each(${rowIds}))
        AND lease_id IN (SELECT value FROM json_each(${leaseIds}))`,
      by,
    ),
  );
  const released: string[] = [];
  for (const task of toRelease) {
    if (cleared.has(task.id)) released.push(task.taskId);
    else failed.push({ task_id: task.taskId, reason: "NOT_PULLED" });
  }
  return { released, failed };
}
