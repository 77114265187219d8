import { ADMIN_TOKEN } from "./worker.mjs";

// The requests the benchmark sends, each as a real client would: Node's fetch (undici) with
// keep-alive, the body always read to the end so latency includes the whole response.

/** `GET /health`: no key, no storage. The floor every other route is compared to. */
export async function getHealth(origin) {
  const res = await fetch(`${origin}/health`);
  await res.arrayBuffer();
  return { status: res.status };
}

/** `GET /api/v1/projects/{p}`: key check, limiter, one primary-key read. */
export async function getProject(origin, key, projectId) {
  const res = await fetch(`${origin}/api/v1/projects/${projectId}`, {
    headers: { "X-API-Key": key },
  });
  await res.arrayBuffer();
  return { status: res.status };
}

/** Pulls from one queue; `taskIds` are the claimed tasks in the order the server gave them. */
export async function pullQueue(origin, key, projectId, queueId, limit) {
  const path = `/api/v1/projects/${projectId}/queues/${queueId}/tasks/pull?limit=${limit}`;
  const res = await fetch(`${origin}${path}`, { headers: { "X-API-Key": key } });
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, tasks: 0, taskIds: [], error: text };

  const tasks = JSON.parse(text).data.tasks;
  return { status: 200, tasks: tasks.length, taskIds: tasks.map((task) => task.task_id) };
}

/**
 * Creates `count` client keys bound to the project through the admin endpoint, like an operator
 * handing each agent its own key (each key has its own rate-limiter Durable Object).
 */
export async function createClientKeys(origin, projectId, count) {
  const keys = [];
  for (let index = 0; index < count; index += 1) {
    const res = await fetch(`${origin}/api/v1/api-keys`, {
      method: "POST",
      headers: { "X-API-Key": ADMIN_TOKEN, "Content-Type": "application/json" },
      body: JSON.stringify({ name: `bench-agent-${index}`, role: "client", project_id: projectId }),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`Creating a bench key failed: ${JSON.stringify(body)}`);
    keys.push(body.data.key);
  }
  return keys;
}
