import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, createKey } from "../helpers";

/** Creates a project (and optionally queues) through the API; fails the test if it cannot. */
export async function makeProject(projectId: string, queueIds: string[] = []): Promise<void> {
  const project = await call("PUT", `/projects/${projectId}`, { body: { name: projectId } });
  expect(project.status).toBe(201);
  for (const queueId of queueIds) {
    const queue = await call("PUT", `/projects/${projectId}/queues/${queueId}`, {
      body: { name: queueId },
    });
    expect(queue.status).toBe(201);
  }
}

/** Creates a server task through the API (in a queue when `queueId` is given). */
export async function makeTask(
  projectId: string,
  taskId: string,
  options: { queueId?: string; body?: Record<string, unknown> } = {},
) {
  const base = options.queueId
    ? `/projects/${projectId}/queues/${options.queueId}`
    : `/projects/${projectId}`;
  const res = await call("POST", `${base}/tasks`, {
    body: { task_id: taskId, name: taskId, prompt: `do ${taskId}`, ...options.body },
  });
  expect(res.status).toBe(201);
  return res.body.data;
}

export type TaskDbRow = {
  id: number;
  queue_id: string | null;
  status: string;
  priority: string | null;
  priority_rank: number;
  source: string;
  created_at: number;
  updated_at: number;
  server_modified_at: number | null;
  deleted_at: number | null;
  deleted_by: string | null;
  pulled_at: number | null;
  pulled_by: string | null;
  lease_id: string | null;
  lease_expires_at: number | null;
  pushed_at: number | null;
  pull_count: number;
};

export async function taskRow(projectId: string, taskId: string): Promise<TaskDbRow> {
  const row = await env.DB.prepare("SELECT * FROM tasks WHERE project_id = ? AND task_id = ?")
    .bind(projectId, taskId)
    .first<TaskDbRow>();
  if (!row) throw new Error(`no row for ${projectId}/${taskId}`);
  return row;
}

export type EventDbRow = {
  id: number;
  task_row_id: number;
  lease_id: string;
  pulled_by: string;
  ended_at: number | null;
  ended_by: string | null;
  outcome: string | null;
};

export async function eventsOf(taskRowId: number): Promise<EventDbRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT * FROM pull_events WHERE task_row_id = ? ORDER BY id",
  )
    .bind(taskRowId)
    .all<EventDbRow>();
  return results;
}

/**
 * Gives a task a claim the way a pull leaves it (pull state set, one open event), for the
 * management tests that do not need the pull endpoint itself. `expiresInMs` below zero makes
 * a lease that has run out but was not swept yet.
 */
export async function holdClaim(
  projectId: string,
  taskId: string,
  options: { by?: string; expiresInMs?: number; pushed?: boolean } = {},
): Promise<string> {
  const row = await taskRow(projectId, taskId);
  const leaseId = crypto.randomUUID();
  const now = Date.now();
  const expires = now + (options.expiresInMs ?? 3_600_000);
  const by = options.by ?? "worker-1";
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE tasks SET pulled_at = ?, pulled_by = ?, lease_id = ?, lease_expires_at = ?,
         pull_count = pull_count + 1, pushed_at = ? WHERE id = ?`,
    ).bind(now - 1000, by, leaseId, expires, options.pushed ? now : null, row.id),
    env.DB.prepare(
      `INSERT INTO pull_events (task_row_id, project_id, queue_id, task_id, lease_id, pulled_at,
         pulled_by, lease_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(row.id, projectId, row.queue_id, taskId, leaseId, now - 1000, by, expires),
  ]);
  return leaseId;
}

/** Marks a task pushed the way a submit after a pull leaves it: lease cleared, event closed. */
export async function markPushed(projectId: string, taskId: string): Promise<void> {
  const row = await taskRow(projectId, taskId);
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE pull_events SET ended_at = ?, ended_by = 'worker-1', outcome = 'submitted'
         WHERE task_row_id = ? AND ended_at IS NULL`,
    ).bind(now, row.id),
    env.DB.prepare(
      `UPDATE tasks SET lease_id = NULL, lease_expires_at = NULL, pushed_at = ?, status = 'done'
         WHERE id = ?`,
    ).bind(now, row.id),
  ]);
}

/** A key of each kind the role matrix needs, bound keys pointing at `projectId`. */
export async function roleKeys(projectId: string) {
  const [client, manager, boundManager, otherManager] = await Promise.all([
    createKey("client"),
    createKey("manager"),
    createKey("manager", { projectId }),
    createKey("manager", { projectId: "some-other-project" }),
  ]);
  return {
    client: client.key,
    manager: manager.key,
    boundManager: boundManager.key,
    otherManager: otherManager.key,
  };
}

/** The `details[].field` list of an error response. */
export const fieldsOf = (body: { error?: { details?: { field: string }[] } }) =>
  (body.error?.details ?? []).map((d) => d.field);
