import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { projects, queues, tasks } from "../db/schema";
import { endLeases } from "../pull/events";
import type { SubmitBody } from "./schema";

// The set-wise statements below are raw SQL on the D1 binding rather than Drizzle builders:
// Drizzle cannot express INSERT … SELECT FROM json_each with a partial column list, and its
// raw `db.run(sql…)` fails inside `db.batch` when the SQL has parameters (drizzle-orm 0.45).
// Every list travels as ONE JSON parameter, since D1 binds at most 100 per statement.

/** A Drizzle builder as a plain D1 statement, so it can share a batch with raw SQL. */
export function toD1(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql: text, params } = query.toSQL();
  return db.$client.prepare(text).bind(...params);
}

/**
 * Aborts the batch when a claimed lease is no longer live: it inserts `ok = 0` into
 * batch_guards, whose CHECK fails and rolls every statement back. Mirrors assertLeasesHeld.
 */
export function guardLeases(db: Db, projectId: string, claimsJson: string, now: number) {
  return db.$client
    .prepare(
      `INSERT INTO batch_guards (ok)
       SELECT 0 WHERE EXISTS (
         SELECT 1 FROM json_each(?1) AS claim
         LEFT JOIN tasks AS t ON t.project_id = ?2 AND t.task_id = claim.value ->> 'id'
         WHERE t.id IS NULL
            OR ((t.deleted_at IS NULL OR t.deleted_by = 'mirror')
                AND (t.lease_id IS NOT claim.value ->> 'lease_id'
                     OR t.lease_expires_at IS NULL OR t.lease_expires_at <= ?3)))`,
    )
    .bind(claimsJson, projectId, now);
}

/** Creates the project, or renames and revives it; info not sent is kept. */
export function upsertProject(db: Db, body: SubmitBody, now: number) {
  const query = db
    .insert(projects)
    .values({
      projectId: body.project_id,
      name: body.project_name,
      clientInfo: body.clientInfo ?? null,
      gitInfo: body.gitInfo ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: projects.projectId,
      set: {
        name: sql`excluded.name`,
        clientInfo: sql`coalesce(excluded.client_info, ${projects.clientInfo})`,
        gitInfo: sql`coalesce(excluded.git_info, ${projects.gitInfo})`,
        updatedAt: now,
        deletedAt: null,
      },
    });
  return toD1(db, query);
}

/** Creates the queue, or renames and revives it; meta not sent is kept. */
export function upsertQueue(db: Db, body: SubmitBody, now: number) {
  const query = db
    .insert(queues)
    .values({
      projectId: body.project_id,
      queueId: body.queue_id,
      name: body.queue_name,
      meta: body.meta ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: [queues.projectId, queues.queueId],
      set: {
        name: sql`excluded.name`,
        meta: sql`coalesce(excluded.meta, ${queues.meta})`,
        updatedAt: now,
        deletedAt: null,
      },
    });
  return toD1(db, query);
}

/**
 * Closes the open pull event of every submitted live server task with `submitted`: the push
 * that answers a pull. Only the event half of endLeases is used, because a push keeps
 * `pulled_at`/`pulled_by` for audit; upsertTasks clears the lease columns itself.
 */
export function closePullEvents(
  db: Db,
  projectId: string,
  idsJson: string,
  endedBy: string,
  now: number,
) {
  const submittedServerTasks = and(
    eq(tasks.projectId, projectId),
    sql`${tasks.taskId} IN (SELECT value FROM json_each(${idsJson}))`,
    eq(tasks.source, "server"),
    isNull(tasks.deletedAt),
  ) as SQL;
  const [closeEvents] = endLeases(db, submittedServerTasks, {
    outcome: "submitted",
    endedBy,
    at: now,
  });
  return toD1(db, closeEvents);
}

/** A column the client may omit: absent keeps the stored value (or the default for a new row). */
const sentOr = (field: string, column: string, fallback = `cur.${column}`) =>
  `CASE WHEN json_type(s.value, '$.${field}') IS NULL THEN ${fallback}
        ELSE s.value ->> '${field}' END`;

/**
 * Upserts one chunk of tasks by (project_id, task_id) and returns the rows written. Rows an
 * operator deleted are filtered out before the conflict, so they are never touched (the caller
 * reports them as skipped). A server task keeps its source, closes its lease (pulled_at and
 * pulled_by stay for audit), is marked pushed, and joins this queue only if it was
 * project-level; a client task always moves into this queue.
 */
export function upsertTasks(
  db: Db,
  projectId: string,
  queueId: string,
  chunkJson: string,
  now: number,
) {
  return db.$client
    .prepare(
      `INSERT INTO tasks (project_id, queue_id, task_id, name, prompt, spec_file, status, report,
         tags, priority, priority_rank, messages, logs, source, created_at, updated_at)
       SELECT ?1, ?2, s.value ->> 'id', s.value ->> 'name', s.value ->> 'prompt',
         ${sentOr("spec_file", "spec_file", "coalesce(cur.spec_file, '[]')")},
         s.value ->> 'status',
         ${sentOr("report", "report")},
         ${sentOr("tags", "tags", "coalesce(cur.tags, '[]')")},
         ${sentOr("priority", "priority")},
         ${sentOr("priority_rank", "priority_rank", "coalesce(cur.priority_rank, 0)")},
         ${sentOr("messages", "messages")},
         ${sentOr("logs", "logs")},
         'client', ?3, ?3
       FROM json_each(?4) AS s
       LEFT JOIN tasks AS cur ON cur.project_id = ?1 AND cur.task_id = s.value ->> 'id'
       WHERE cur.id IS NULL OR cur.deleted_at IS NULL OR cur.deleted_by = 'mirror'
       ON CONFLICT (project_id, task_id) DO UPDATE SET
         queue_id = CASE WHEN tasks.source = 'client' OR tasks.queue_id IS NULL
                         THEN excluded.queue_id ELSE tasks.queue_id END,
         name = excluded.name, prompt = excluded.prompt, spec_file = excluded.spec_file,
         status = excluded.status, report = excluded.report, tags = excluded.tags,
         priority = excluded.priority, priority_rank = excluded.priority_rank,
         messages = excluded.messages, logs = excluded.logs,
         updated_at = excluded.updated_at, deleted_at = NULL, deleted_by = NULL,
         pushed_at = CASE WHEN tasks.source = 'server' THEN excluded.updated_at
                          ELSE tasks.pushed_at END,
         lease_id = NULL, lease_expires_at = NULL, pulled_by_key_id = NULL
       RETURNING id, task_id`,
    )
    .bind(projectId, queueId, now, chunkJson);
}

/**
 * The queue mirrors the client's list: its live client tasks that the submit no longer lists
 * are soft-deleted as `mirror`, so they come back if the client lists them again. Server
 * tasks are never removed by a submit.
 */
export function mirrorDeletes(
  db: Db,
  projectId: string,
  queueId: string,
  idsJson: string,
  now: number,
) {
  return db.$client
    .prepare(
      `UPDATE tasks SET deleted_at = ?3, deleted_by = 'mirror', updated_at = ?3
       WHERE project_id = ?1 AND queue_id = ?2 AND source = 'client' AND deleted_at IS NULL
         AND task_id NOT IN (SELECT value FROM json_each(?4))`,
    )
    .bind(projectId, queueId, now, idsJson);
}
