import { and, eq, isNotNull, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { type TaskRow, tasks } from "../db/schema";
import { ApiError, notFound } from "../http/errors";
import { endClaims } from "../pull/events";
import { liveScopeGuard, withScopeGuard } from "./scope-guard";
import { taskFieldValues } from "./task-body";

type TaskFields = Parameters<typeof taskFieldValues>[0];

const liveRow = (row: TaskRow) => and(eq(tasks.id, row.id), isNull(tasks.deletedAt)) as SQL;

/** The same task was deleted between the route's lookup and its write. */
const gone = (row: TaskRow) => notFound(`Task ${row.taskId}`);

/**
 * Inserts a server task, or replaces a soft-deleted task with the same id in place: the row
 * keeps its `id`, so the pull events that point at it (its history) stay attached. A live task
 * with the id makes the upsert's WHERE false, no row comes back, and that is the 409.
 */
export async function createTask(
  db: Db,
  target: { projectId: string; queueId: string | null; taskId: string },
  body: TaskFields,
  now: number,
): Promise<TaskRow> {
  const fields = taskFieldValues(body);
  const values = {
    queueId: target.queueId,
    name: fields.name ?? "",
    prompt: fields.prompt ?? "",
    status: fields.status ?? "pending",
    specFile: fields.specFile ?? [],
    report: fields.report ?? null,
    tags: fields.tags ?? [],
    priority: fields.priority ?? null,
    priorityRank: fields.priorityRank ?? 0,
    expiresAt: fields.expiresAt ?? null,
    messages: null,
    logs: null,
    source: "server" as const,
    createdAt: now,
    updatedAt: now,
    serverModifiedAt: now,
    deletedAt: null,
    deletedBy: null,
    pulledAt: null,
    pulledBy: null,
    pulledByKeyId: null,
    leaseId: null,
    leaseExpiresAt: null,
    pushedAt: null,
  };

  const [, [row]] = await withScopeGuard(
    db.batch([
      liveScopeGuard(db, target.projectId, target.queueId),
      db
        .insert(tasks)
        .values({ projectId: target.projectId, taskId: target.taskId, ...values })
        .onConflictDoUpdate({
          target: [tasks.projectId, tasks.taskId],
          set: values,
          setWhere: isNotNull(tasks.deletedAt),
        })
        .returning(),
    ]),
    target.projectId,
    target.queueId,
  );
  if (!row) {
    throw new ApiError(
      "DUPLICATE_KEY",
      `Task ${target.taskId} already exists in project ${target.projectId}`,
      [{ field: "task_id", message: "is taken by a live task of this project" }],
    );
  }
  return row;
}

/**
 * Applies an edit. Any claim ends (`edited`) and `pushed_at` clears, so the edited task is
 * pullable again (SPEC §5): whoever held it was working on the old version.
 */
export async function editTask(
  db: Db,
  row: TaskRow,
  body: TaskFields,
  actor: string,
  now: number,
): Promise<TaskRow> {
  const claims = endClaims(db, liveRow(row), {
    outcome: "edited",
    endedBy: actor,
    at: now,
    clearPush: true,
  });
  const edit = db
    .update(tasks)
    .set({ ...taskFieldValues(body), updatedAt: now, serverModifiedAt: now })
    .where(liveRow(row))
    .returning();

  const results = await db.batch([...claims, edit]);
  const [edited] = results[claims.length];
  if (!edited) throw gone(row);
  return edited;
}

/**
 * Statements that soft-delete the live tasks matching `where`: the claims end first, then
 * `softDelete`, whose row count is the number of tasks deleted.
 */
export function deleteTasksStatements(db: Db, where: SQL, actor: string, now: number) {
  const claims = endClaims(db, where, {
    outcome: "deleted",
    endedBy: actor,
    at: now,
    clearPush: false,
  });
  const softDelete = db
    .update(tasks)
    .set({ deletedAt: now, deletedBy: "server", updatedAt: now })
    .where(where);
  return { claims, softDelete };
}

/** Soft-deletes one task as the operator (`deleted_by = server`); a claim ends `deleted`. */
export async function deleteTask(
  db: Db,
  row: TaskRow,
  actor: string,
  now: number,
): Promise<TaskRow> {
  const { claims, softDelete } = deleteTasksStatements(db, liveRow(row), actor, now);

  const results = await db.batch([...claims, softDelete.returning()]);
  const [deleted] = results[claims.length];
  if (!deleted) throw gone(row);
  return deleted;
}

/** Moves a task to another queue (or to project level); its claim, if any, stays as it is. */
export async function moveTask(
  db: Db,
  row: TaskRow,
  queueId: string | null,
  now: number,
): Promise<TaskRow> {
  const [, [moved]] = await withScopeGuard(
    db.batch([
      liveScopeGuard(db, row.projectId, queueId),
      db
        .update(tasks)
        .set({ queueId, updatedAt: now, serverModifiedAt: now })
        .where(liveRow(row))
        .returning(),
    ]),
    row.projectId,
    queueId,
  );
  if (!moved) throw gone(row);
  return moved;
}
