import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { projects, queues, tasks } from "../db/schema";
import { notFound } from "../http/errors";
import { deleteTasksStatements } from "./task-writes";

/** Number of rows a plain UPDATE of a D1 batch changed. */
const changes = (result: D1Result) => result.meta.changes ?? 0;

/**
 * Soft-deletes a queue and its tasks in one batch. Pull events are history and are never
 * deleted; open ones close with `deleted`.
 */
export async function deleteQueue(
  db: Db,
  projectId: string,
  queueId: string,
  actor: string,
  now: number,
) {
  const inQueue = and(
    eq(tasks.projectId, projectId),
    eq(tasks.queueId, queueId),
    isNull(tasks.deletedAt),
  ) as SQL;
  const { claims, softDelete } = deleteTasksStatements(db, inQueue, actor, now);
  const queueDelete = db
    .update(queues)
    .set({ deletedAt: now, updatedAt: now })
    .where(
      and(eq(queues.projectId, projectId), eq(queues.queueId, queueId), isNull(queues.deletedAt)),
    )
    .returning({ queueId: queues.queueId });

  // Each result is read at the length of the statements before it, never at a fixed position.
  const throughTasks = [...claims, softDelete] as const;
  const results = await db.batch([...throughTasks, queueDelete]);
  const tasksDeleted = results[claims.length];
  const queueDeleted = results[throughTasks.length];

  // A concurrent delete won the race: to this caller the queue was already gone.
  if (queueDeleted.length === 0) throw notFound(`Queue ${queueId} in project ${projectId}`);
  return { deletedTasks: changes(tasksDeleted) };
}

/** Soft-deletes a project with all its queues and tasks in one batch. */
export async function deleteProject(db: Db, projectId: string, actor: string, now: number) {
  const inProject = and(eq(tasks.projectId, projectId), isNull(tasks.deletedAt)) as SQL;
  const { claims, softDelete } = deleteTasksStatements(db, inProject, actor, now);
  const queuesDelete = db
    .update(queues)
    .set({ deletedAt: now, updatedAt: now })
    .where(and(eq(queues.projectId, projectId), isNull(queues.deletedAt)));
  const projectDelete = db
    .update(projects)
    .set({ deletedAt: now, updatedAt: now })
    .where(and(eq(projects.projectId, projectId), isNull(projects.deletedAt)))
    .returning({ projectId: projects.projectId });

  const throughTasks = [...claims, softDelete] as const;
  const throughQueues = [...throughTasks, queuesDelete] as const;
  const results = await db.batch([...throughQueues, projectDelete]);
  const tasksDeleted = results[claims.length];
  const queuesDeleted = results[throughTasks.length];
  const projectDeleted = results[throughQueues.length];

  if (projectDeleted.length === 0) throw notFound(`Project ${projectId}`);
  return { deletedTasks: changes(tasksDeleted), deletedQueues: changes(queuesDeleted) };
}
