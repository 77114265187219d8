import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, createKey, seedTasks } from "../helpers";

let P: string;
let client: string;

beforeEach(async () => {
  P = `report-${crypto.randomUUID().slice(0, 8)}`;
  client = (await createKey("client", { name: "worker" })).key;
});

const get = (path: string) => call("GET", `/projects/${P}${path}`, { key: client });

async function submitDone(taskIds: string[]) {
  const res = await call("POST", "/submit", {
    key: client,
    body: {
      project_id: P,
      project_name: P,
      queue_id: "results",
      queue_name: "Results",
      tasks: taskIds.map((id) => ({ id, name: id, prompt: "", status: "done" })),
    },
  });
  expect(res.status).toBe(200);
}

/**
 * The scripted scenario: 10 pulls; 7 end in a submit (after 10, 20, … 70 s), 2 are released and
 * 1 times out. Success rate 70.0, average duration 40.0 s.
 */
async function playScenario() {
  const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
  await seedTasks(ids.map((taskId, i) => ({ projectId: P, taskId, createdAt: 1000 + i })));
  const pulled = await get("/tasks/pull?limit=10");
  expect(pulled.body.data.pulled_count).toBe(10);

  await submitDone(ids.slice(0, 7));
  for (const taskId of ["t7", "t8"]) {
    await call("POST", `/projects/${P}/tasks/${taskId}/pull/release`, { key: client, body: {} });
  }
  await env.DB.prepare(
    "UPDATE tasks SET lease_expires_at = ? WHERE project_id = ? AND task_id = 't9'",
  )
    .bind(Date.now() - 1000, P)
    .run();
  // A pull whose filter matches nothing still frees the expired lease in its scope.
  await get("/tasks/pull?status=cancelled");
  await env.DB.prepare(
    `UPDATE pull_events SET pulled_at = ended_at - 10000 * (CAST(substr(task_id, 2) AS INTEGER) + 1)
     WHERE project_id = ? AND outcome = 'submitted'`,
  )
    .bind(P)
    .run();
}

describe("GET /projects/{p}/tasks/pull/stats", () => {
  it("computes the scripted scenario's figures", async () => {
    await playScenario();
    const res = await get("/tasks/pull/stats");
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      total_server_tasks: 10,
      not_pulled: 3,
      pulled: 7,
      pulled_not_pushed: 0,
      pull_success_rate: 70,
      average_pull_duration: 40,
      timed_out: 1,
      released: 2,
    });
    expect(res.body.data.oldest_pullable_age_seconds).toBeGreaterThan(0);
  });

  it("narrows to a queue with queue_id", async () => {
    await playScenario();
    const res = await get("/tasks/pull/stats?queue_id=results");
    expect(res.body.data).toMatchObject({
      total_server_tasks: 7,
      pulled: 7,
      pull_success_rate: 100,
      released: 0,
    });
  });

  it("counts only pulls since `since`", async () => {
    await playScenario();
    const res = await get(`/tasks/pull/stats?since=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(res.body.data).toMatchObject({
      total_server_tasks: 10,
      pull_success_rate: null,
      average_pull_duration: null,
      timed_out: 0,
    });
  });

  it("answers nulls for rates before any pull finished", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    const res = await get("/tasks/pull/stats");
    expect(res.body.data).toMatchObject({
      total_server_tasks: 1,
      not_pulled: 1,
      pulled: 0,
      pull_success_rate: null,
      average_pull_duration: null,
    });
  });

  it("answers 404 for an unknown queue_id, in stats and in pending", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    expect((await get("/tasks/pull/stats?queue_id=nope")).status).toBe(404);
    expect((await get("/tasks/pull/pending?queue_id=nope")).status).toBe(404);
  });

  it("answers 400 for a malformed since and 404 for an unknown project", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    const bad = await get("/tasks/pull/stats?since=soon");
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe("since");
    const missing = await call("GET", "/projects/nowhere/tasks/pull/stats", { key: client });
    expect(missing.status).toBe(404);
  });
});

describe("GET /projects/{p}/tasks/{t}/pull/history", () => {
  it("lists every claim oldest first with its outcome", async () => {
    await playScenario();
    const res = await get("/tasks/t9/pull/history");
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      task_id: "t9",
      current_pull: null,
      total_pulls: 1,
      pull_history: [{ pulled_by: "worker", outcome: "timeout", released_by: "system:timeout" }],
    });
  });

  it("shows the live claim as current_pull and the submitted one as history", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    const first = await get("/tasks/pull");
    await submitDone(["a"]);
    await call("POST", `/projects/${P}/tasks/a/pull/reset`, {
      key: (await createKey("manager")).key,
    });
    const second = await get("/queues/results/tasks/pull");

    const res = await get("/tasks/a/pull/history");

    expect(res.body.data.total_pulls).toBe(2);
    expect(res.body.data.pull_history.map((e: any) => [e.lease_id, e.outcome])).toEqual([
      [first.body.data.lease_id, "submitted"],
      [second.body.data.lease_id, null],
    ]);
    expect(res.body.data.current_pull).toMatchObject({
      lease_id: second.body.data.lease_id,
      pulled_by: "worker",
    });
  });

  it("answers 404 for an unknown task", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    expect((await get("/tasks/nope/pull/history")).status).toBe(404);
  });
});

describe("GET /projects/{p}/tasks/pull/pending", () => {
  it("lists claims held longer than timeout, with how long they are held", async () => {
    await seedTasks([
      { projectId: P, taskId: "old", createdAt: 1 },
      { projectId: P, taskId: "new", createdAt: 2 },
    ]);
    await get("/tasks/pull?limit=2");
    await env.DB.prepare(
      "UPDATE tasks SET pulled_at = pulled_at - 7200000 WHERE project_id = ? AND task_id = 'old'",
    )
      .bind(P)
      .run();

    const res = await get("/tasks/pull/pending?timeout=3600");

    expect(res.status).toBe(200);
    expect(res.body.data.total).toBe(1);
    expect(res.body.data.tasks).toEqual([
      expect.objectContaining({ task_id: "old", pulled_by: "worker", queue_id: null }),
    ]);
    expect(res.body.data.tasks[0].held_seconds).toBeGreaterThanOrEqual(7200);
    const all = await get("/tasks/pull/pending?timeout=0");
    expect(all.body.data.tasks.map((t: any) => t.task_id)).toEqual(["old", "new"]);
  });

  it("leaves out pushed tasks", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    await get("/tasks/pull");
    await submitDone(["a"]);
    const res = await get("/tasks/pull/pending?timeout=0");
    expect(res.body.data).toEqual({ tasks: [], total: 0 });
  });

  it("answers 400 for a malformed timeout", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    const res = await get("/tasks/pull/pending?timeout=-5");
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("timeout");
  });
});
