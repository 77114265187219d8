import { and, eq, exists, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { queues, tasks } from "../db/schema";
import { notFound } from "../http/errors";
import { endClaims } from "../pull/events";

export type QueueOperation = "reset" | "reset-error" | "re-run";

type QueueScope = { projectId: string; queueId: string };

/**
 * One batch that stamps the queue's `last_reset_at` / `last_operation` and puts its live tasks
 * matching `only` back to `pending` with a clean pull state (claims end `reset`, `pushed_at`
 * clears: pullable again). Six statements whatever the task count.
 *
 * The stamp comes first and carries its own conditions, checked inside the batch: the queue is
 * still live and, with `stampOnlyIfMatched`, a task still matches. A queue or task deleted
 * since the route's lookup then leaves nothing written: every task statement matches no live
 * row either, since deleting a queue deletes its tasks.
 */
async function resetBatch(
  db: Db,
  scope: QueueScope & { only?: SQL; stampOnlyIfMatched: boolean },
  operation: QueueOperation,
  actor: string,
  now: number,
) {
  const where = and(
    eq(tasks.projectId, scope.projectId),
    eq(tasks.queueId, scope.queueId),
    isNull(tasks.deletedAt),
    scope.only,
  ) as SQL;
  const stamp = db
    .update(queues)
    .set({ lastResetAt: now, lastOperation: operation, updatedAt: now })
    .where(
      and(
        eq(queues.projectId, scope.projectId),
        eq(queues.queueId, scope.queueId),
        isNull(queues.deletedAt),
        scope.stampOnlyIfMatched
          ? exists(db.select({ id: tasks.id }).from(tasks).where(where))
          : undefined,
      ),
    )
    .returning({ queueId: queues.queueId });
  const claims = endClaims(db, where, {
    outcome: "reset",
    endedBy: actor,
    at: now,
    clearPush: true,
  });
  // Last of the task writes: `only` may select on the status this changes.
  const toPending = db
    .update(tasks)
    .set({ status: "pending", updatedAt: now, serverModifiedAt: now })
    .where(where);

  const [stamped, ...rest] = await db.batch([stamp, ...claims, toPending]);
  const pending = rest[claims.length];
  return { stamped: stamped.length > 0, reset: pending.meta.changes ?? 0 };
}

/**
 * Resets the live tasks of a queue matching `only` (all of them without it) and records the
 * operation on the queue, even when no task matched. Returns how many tasks were reset; 404 if
 * the queue was deleted since the route looked it up.
 */
export async function resetQueueTasks(
  db: Db,
  scope: QueueScope & { only?: SQL },
  operation: QueueOperation,
  actor: string,
  now: number,
): Promise<number> {
  const { stamped, reset } = await resetBatch(
    db,
    { ...scope, stampOnlyIfMatched: false },
    operation,
    actor,
    now,
  );
  if (!stamped) throw notFound(`Queue ${scope.queueId} in project ${scope.projectId}`);
  return reset;
}

/**
 * Re-runs one live task of a queue, recorded on the queue as `re-run`. 404, with nothing
 * written, if the task (or its queue) was deleted since the route looked it up.
 */
export async function rerunQueueTask(
  db: Db,
  scope: QueueScope & { taskId: string },
  actor: string,
  now: number,
): Promise<void> {
  const only = eq(tasks.taskId, scope.taskId);
  const { stamped } = await resetBatch(
    db,
    { projectId: scope.projectId, queueId: scope.queueId, only, stampOnlyIfMatched: true },
    "re-run",
    actor,
    now,
  );
  if (!stamped) throw notFound(`Task ${scope.taskId}`);
}
