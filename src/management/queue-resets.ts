import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { queues, tasks } from "../db/schema";
import { endClaims } from "../pull/events";

export type QueueOperation = "reset" | "reset-error" | "re-run";

/**
 * Puts the live tasks of a queue matching `only` back to `pending` with a clean pull state
 * (claims end `reset`, `pushed_at` clears: pullable again) and stamps the queue's
 * `last_reset_at` / `last_operation`. Six statements in one batch, whatever the task count.
 * Returns how many tasks were reset.
 */
export async function resetQueueTasks(
  db: Db,
  scope: { projectId: string; queueId: string; only?: SQL },
  operation: QueueOperation,
  actor: string,
  now: number,
): Promise<number> {
  const where = and(
    eq(tasks.projectId, scope.projectId),
    eq(tasks.queueId, scope.queueId),
    isNull(tasks.deletedAt),
    scope.only,
  ) as SQL;

  const results = await db.batch([
    ...endClaims(db, where, { outcome: "reset", endedBy: actor, at: now, clearPush: true }),
    // Last of the task writes: `only` may select on the status this changes.
    db.update(tasks).set({ status: "pending", updatedAt: now, serverModifiedAt: now }).where(where),
    db
      .update(queues)
      .set({ lastResetAt: now, lastOperation: operation, updatedAt: now })
      .where(
        and(
          eq(queues.projectId, scope.projectId),
          eq(queues.queueId, scope.queueId),
          isNull(queues.deletedAt),
        ),
      ),
  ]);
  return results[4].meta.changes ?? 0;
}
