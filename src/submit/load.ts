import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { projects, queues, type TaskRow, tasks } from "../db/schema";
import type { SubmitBody } from "./schema";

/** What a submit needs to know about a task that already has a row (live or soft-deleted). */
export type ExistingTask = Pick<
  TaskRow,
  "id" | "taskId" | "source" | "deletedAt" | "deletedBy" | "leaseId" | "leaseExpiresAt"
>;

export type SubmitState = {
  projectExists: boolean;
  queueExists: boolean;
  tasks: Map<string, ExistingTask>;
};

/** An operator's delete (or a delete of its project or queue) outlives any submit. */
export const isServerDeleted = (task: ExistingTask) =>
  task.deletedAt !== null && task.deletedBy !== "mirror";

export const isLive = (task: ExistingTask) => task.deletedAt === null;

/**
 * Reads, in one round trip, the rows the submit will touch. The task ids travel as one JSON
 * parameter: D1 binds at most 100 parameters per statement and a submit has up to 1000 ids.
 */
export async function loadSubmitState(db: Db, body: SubmitBody): Promise<SubmitState> {
  const idsJson = JSON.stringify(body.tasks.map((task) => task.id));
  const [project, queue, rows] = await db.batch([
    db
      .select({ projectId: projects.projectId })
      .from(projects)
      .where(eq(projects.projectId, body.project_id)),
    db
      .select({ queueId: queues.queueId })
      .from(queues)
      .where(and(eq(queues.projectId, body.project_id), eq(queues.queueId, body.queue_id))),
    db
      .select({
        id: tasks.id,
        taskId: tasks.taskId,
        source: tasks.source,
        deletedAt: tasks.deletedAt,
        deletedBy: tasks.deletedBy,
        leaseId: tasks.leaseId,
        leaseExpiresAt: tasks.leaseExpiresAt,
      })
      .from(tasks)
      .where(
        and(
          eq(tasks.projectId, body.project_id),
          sql`${tasks.taskId} IN (SELECT value FROM json_each(${idsJson}))`,
        ),
      ),
  ]);

  return {
    projectExists: project.length > 0,
    queueExists: queue.length > 0,
    tasks: new Map(rows.map((row) => [row.taskId, row])),
  };
}
