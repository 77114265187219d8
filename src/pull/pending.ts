import { and, asc, eq, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { assertScopeFound, scopeCheck } from "../db/lookups";
import { tasks } from "../db/schema";
import { iso } from "../schemas/task";

/** How many overdue claims one answer lists; `total` still counts them all. */
export const PENDING_LIST_CAP = 1000;

/**
 * Claims still held and not pushed whose pull is at least `timeoutSeconds` old (SPEC §5.4):
 * the work that may have been abandoned. 404 if the project or queue is missing, checked in the
 * same round trip.
 */
export async function pendingPulls(
  db: Db,
  scope: { projectId: string; queueId?: string; timeoutSeconds: number },
  now: number,
) {
  const overdue = and(
    eq(tasks.projectId, scope.projectId),
    isNull(tasks.deletedAt),
    isNotNull(tasks.leaseId),
    isNull(tasks.pushedAt),
    lte(tasks.pulledAt, now - scope.timeoutSeconds * 1000),
    scope.queueId === undefined ? undefined : eq(tasks.queueId, scope.queueId),
  );
  const [found, rows, [counted]] = await db.batch([
    scopeCheck(db, scope),
    db
      .select()
      .from(tasks)
      .where(overdue)
      .orderBy(asc(tasks.pulledAt), asc(tasks.taskId))
      .limit(PENDING_LIST_CAP),
    db.select({ total: sql<number>`count(*)` }).from(tasks).where(overdue),
  ]);
  assertScopeFound(found, scope);

  return {
    tasks: rows.map((task) => ({
      task_id: task.taskId,
      name: task.name,
      status: task.status,
      queue_id: task.queueId,
      pulled_at: iso(task.pulledAt) as string,
      pulled_by: task.pulledBy,
      lease_expires_at: iso(task.leaseExpiresAt),
      held_seconds: Math.floor((now - (task.pulledAt ?? now)) / 1000),
    })),
    total: counted?.total ?? 0,
  };
}
