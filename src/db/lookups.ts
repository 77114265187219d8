import { and, eq, isNull, sql } from "drizzle-orm";
import { notFound } from "../http/errors";
import type { Db, Param } from "./client";
import { projects, queues, tasks } from "./schema";

/**
 * A project, or a queue in it. `queueId` is a queue id, `null` for the project's own tasks
 * (outside any queue), or `undefined` for the whole project.
 */
export type Scope = { projectId: string; queueId?: string | null };

/** A scope as statement parameters: values, or placeholders for a prepared batch. */
export type ScopeParams = { projectId: Param<string>; queueId?: Param<string> | null };

/**
 * One read, for the caller's own batch, of whether the scope is live: a row if the project is,
 * with `queue` 1 if the queue (when there is one) is live too.
 */
export function scopeCheck(db: Db, scope: ScopeParams) {
  const queueLive =
    scope.queueId !== undefined && scope.queueId !== null
      ? sql<number>`EXISTS (SELECT 1 FROM queues WHERE project_id = ${scope.projectId}
          AND queue_id = ${scope.queueId} AND deleted_at IS NULL)`
      : sql<number>`1`;
  return db
    .select({ queue: queueLive })
    .from(projects)
    .where(and(eq(projects.projectId, scope.projectId), isNull(projects.deletedAt)));
}

/** Turns a failed scope check into the 404 naming what is missing. */
export function assertScopeFound(rows: { queue: number }[], scope: Scope): void {
  if (rows.length === 0) throw notFound(`Project ${scope.projectId}`);
  if (!rows[0]?.queue) throw notFound(`Queue ${scope.queueId} in project ${scope.projectId}`);
}

/** 404 for a missing project or queue, named precisely: one read. */
export async function requireScope(db: Db, scope: Scope): Promise<void> {
  assertScopeFound(await scopeCheck(db, scope), scope);
}

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
  const [found, [queue]] = await db.batch([
    scopeCheck(db, { projectId, queueId }),
    db
      .select()
      .from(queues)
      .where(
        and(eq(queues.projectId, projectId), eq(queues.queueId, queueId), isNull(queues.deletedAt)),
      ),
  ]);
  assertScopeFound(found, { projectId, queueId });
  if (!queue) throw notFound(`Queue ${queueId} in project ${projectId}`);
  return queue;
}

/**
 * The live task, or 404 naming the project, queue or task that is missing, in one round trip.
 * With `queueId` the task must sit in that (live) queue, the queue-scoped paths; `null` means it
 * must be project-level; `undefined` accepts either.
 */
export async function requireTask(
  db: Db,
  projectId: string,
  taskId: string,
  queueId?: string | null,
) {
  const [found, [task]] = await db.batch([
    scopeCheck(db, { projectId, queueId }),
    db
      .select()
      .from(tasks)
      .where(
        and(eq(tasks.projectId, projectId), eq(tasks.taskId, taskId), isNull(tasks.deletedAt)),
      ),
  ]);
  assertScopeFound(found, { projectId, queueId });
  const inScope = queueId === undefined || task?.queueId === queueId;
  if (!task || !inScope) throw notFound(`Task ${taskId}`);
  return task;
}
