import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { pullEvents, tasks } from "../db/schema";
import { notFound } from "../http/errors";
import { iso } from "../schemas/task";
import { isLeaseLive } from "./events";

/**
 * Every claim of a task, oldest first (SPEC §5.4). Deleted tasks keep their history, so this
 * looks the task up whether or not it is deleted.
 */
export async function pullHistory(db: Db, projectId: string, taskId: string, now: number) {
  const task = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.projectId, projectId), eq(tasks.taskId, taskId)))
    .get();
  if (!task) throw notFound(`Task ${taskId}`);

  const events = await db
    .select()
    .from(pullEvents)
    .where(eq(pullEvents.taskRowId, task.id))
    .orderBy(asc(pullEvents.pulledAt), asc(pullEvents.id));

  const live = isLeaseLive(task, now);
  return {
    task_id: task.taskId,
    current_pull: live
      ? {
          lease_id: task.leaseId as string,
          pulled_at: iso(task.pulledAt) as string,
          pulled_by: task.pulledBy as string,
          lease_expires_at: iso(task.leaseExpiresAt) as string,
        }
      : null,
    pull_history: events.map((event) => ({
      lease_id: event.leaseId,
      pulled_at: iso(event.pulledAt) as string,
      pulled_by: event.pulledBy,
      lease_expires_at: iso(event.leaseExpiresAt) as string,
      released_at: iso(event.endedAt),
      released_by: event.endedBy,
      outcome: event.outcome,
    })),
    total_pulls: events.length,
  };
}
