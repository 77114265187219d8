import { env } from "cloudflare:workers";
import { call } from "../helpers";

// Builders and direct D1 reads shared by the submit test files.

export const uid = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

export type TaskInput = Record<string, unknown> & { id: string };

export const task = (id: string, extra: Record<string, unknown> = {}): TaskInput => ({
  id,
  name: `Task ${id}`,
  prompt: `Do ${id}`,
  status: "pending",
  ...extra,
});

export function submitBody(
  projectId: string,
  tasks: TaskInput[],
  extra: Record<string, unknown> = {},
) {
  return {
    project_id: projectId,
    project_name: `Project ${projectId}`,
    queue_id: "q1",
    queue_name: "Queue one",
    tasks,
    ...extra,
  };
}

export const submit = (body: unknown, headers?: Record<string, string>) =>
  call("POST", "/submit", { body, headers });

export function taskRow(projectId: string, taskId: string) {
  return env.DB.prepare("SELECT * FROM tasks WHERE project_id = ? AND task_id = ?")
    .bind(projectId, taskId)
    .first<Record<string, any>>();
}

export async function countRows(table: string, projectId: string) {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`)
    .bind(projectId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Puts a seeded server task under a lease, with its open pull event, as a pull would. */
export async function holdLease(
  projectId: string,
  taskId: string,
  leaseId: string,
  expiresAt: number,
) {
  const pulledAt = Date.now() - 60_000;
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE tasks SET pulled_at = ?, pulled_by = 'worker-1', pulled_by_key_id = 'key_x',
         lease_id = ?, lease_expires_at = ?, pull_count = 1
       WHERE project_id = ? AND task_id = ?`,
    ).bind(pulledAt, leaseId, expiresAt, projectId, taskId),
    env.DB.prepare(
      `INSERT INTO pull_events (task_row_id, project_id, queue_id, task_id, lease_id, pulled_at,
         pulled_by, key_id, lease_expires_at)
       SELECT id, project_id, queue_id, task_id, ?, ?, 'worker-1', 'key_x', ?
       FROM tasks WHERE project_id = ? AND task_id = ?`,
    ).bind(leaseId, pulledAt, expiresAt, projectId, taskId),
  ]);
}
