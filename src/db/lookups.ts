import { and, eq, isNull } from "drizzle-orm";
import { notFound } from "../http/errors";
import type { Db } from "./client";
import { projects, queues, tasks } from "./schema";

/** The live project, or 404. */
export async function requireProject(db: Db, projectId: string) {
  const project = await db
    .select()
    .from(projects)
    .where(and(eq(projects.projectId, projectId), isNull(projects.deletedAt)))
    .get();
  if (!project) throw notFound(`Project ${projectId}`);
  return project;
}

/** The live queue of a live project, or 404 naming whichever is missing. */
export async function requireQueue(db: Db, projectId: string, queueId: string) {
  const [project, queue] = await db.batch([
    db
      .select({ projectId: projects.projectId })
      .from(projects)
      .where(and(eq(projects.projectId, projectId), isNull(projects.deletedAt))),
    db
      .select()
      .from(queues)
      .where(
        and(eq(queues.projectId, projectId), eq(queues.queueId, queueId), isNull(queues.deletedAt)),
      ),
  ]);
  if (project.length === 0) throw notFound(`Project ${projectId}`);
  if (!queue[0]) throw notFound(`Queue ${queueId} in project ${projectId}`);
  return queue[0];
}

/**
 * The live task, or 404. With `queueId` the task must sit in that queue (the queue-scoped paths);
 * `null` means it must be project-level; `undefined` accepts either.
 */
export async function requireTask(
  db: Db,
  projectId: string,
  taskId: string,
  queueId?: string | null,
) {
  const task = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.projectId, projectId), eq(tasks.taskId, taskId), isNull(tasks.deletedAt)))
    .get();
  const inScope = queueId === undefined || task?.queueId === queueId;
  if (!task || !inScope) throw notFound(`Task ${taskId}`);
  return task;
}
