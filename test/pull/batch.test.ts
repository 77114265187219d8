import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, createKey, seedTasks } from "../helpers";

let P: string;
let client: string;

beforeEach(async () => {
  P = `batch-${crypto.randomUUID().slice(0, 8)}`;
  client = (await createKey("client")).key;
});

const batch = (body: unknown) =>
  call("POST", `/projects/${P}/tasks/pull/batch`, { key: client, body });

describe("POST /projects/{p}/tasks/pull/batch", () => {
  it("claims with the guide's filters body, across project-level and queue tasks", async () => {
    await seedTasks([
      { projectId: P, taskId: "top", status: "pending" },
      { projectId: P, taskId: "queued", queueId: "q", status: "pending" },
      { projectId: P, taskId: "busy", status: "running" },
    ]);
    const res = await batch({ filters: { status: "pending", limit: 20 } });
    expect(res.status).toBe(200);
    expect(res.body.data.pulled_count).toBe(2);
    expect(res.body.data.tasks.map((t: any) => t.task_id).sort()).toEqual(["queued", "top"]);
    expect(res.body.data.failed).toEqual([]);
  });

  it("narrows filters to a queue with filters.queue_id", async () => {
    await seedTasks([
      { projectId: P, taskId: "top" },
      { projectId: P, taskId: "queued", queueId: "q" },
    ]);
    const res = await batch({ filters: { queue_id: "q" } });
    expect(res.body.data.tasks.map((t: any) => t.task_id)).toEqual(["queued"]);
  });

  it("claims requested ids in request order and gives a precise reason for each miss", async () => {
    const now = Date.now();
    await seedTasks([
      { projectId: P, taskId: "a" },
      { projectId: P, taskId: "b", queueId: "q" },
      { projectId: P, taskId: "client", source: "client" },
      { projectId: P, taskId: "gone" },
      { projectId: P, taskId: "old", expiresAt: now - 1000 },
      { projectId: P, taskId: "held" },
      { projectId: P, taskId: "running", status: "running" },
      { projectId: P, taskId: "extra" },
    ]);
    await env.DB.batch([
      env.DB.prepare(
        "UPDATE tasks SET deleted_at = ? WHERE project_id = ? AND task_id = 'gone'",
      ).bind(now, P),
      env.DB.prepare(
        `UPDATE tasks SET pulled_at = ?, lease_id = 'other', lease_expires_at = ?
         WHERE project_id = ? AND task_id = 'held'`,
      ).bind(now, now + 60_000, P),
    ]);

    const res = await batch({
      taskIds: ["b", "a", "missing", "client", "gone", "old", "held", "a", "running", "extra"],
      filters: { status: "pending" },
      limit: 2,
    });

    expect(res.status).toBe(200);
    expect(res.body.data.tasks.map((t: any) => t.task_id)).toEqual(["b", "a"]);
    expect(res.body.data.failed).toEqual([
      { task_id: "missing", reason: "NOT_FOUND" },
      { task_id: "client", reason: "NOT_SERVER_TASK" },
      { task_id: "gone", reason: "DELETED" },
      { task_id: "old", reason: "EXPIRED" },
      { task_id: "held", reason: "ALREADY_PULLED" },
      { task_id: "a", reason: "DUPLICATE_IN_REQUEST" },
      { task_id: "running", reason: "FILTERED_OUT" },
      { task_id: "extra", reason: "LIMIT_REACHED" },
    ]);
  });

  it("accepts task_ids as an alias of taskIds", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    const res = await batch({ task_ids: ["a"] });
    expect(res.body.data.tasks.map((t: any) => t.task_id)).toEqual(["a"]);
  });

  const invalid: [string, unknown, string][] = [
    ["both id lists", { taskIds: ["a"], task_ids: ["a"] }, "task_ids"],
    ["more than 100 ids", { taskIds: Array.from({ length: 101 }, (_, i) => `t${i}`) }, "taskIds"],
    ["an empty id", { taskIds: [""] }, "taskIds[0]"],
    ["a bad status filter", { filters: { status: "nope" } }, "filters.status"],
    ["a bad limit", { limit: 0 }, "limit"],
    ["a limit over 100", { filters: { limit: 500 } }, "filters.limit"],
    ["an unknown field", { filter: {} }, "body"],
    ["lease_seconds below the minimum", { lease_seconds: 1 }, "lease_seconds"],
  ];
  for (const [label, body, field] of invalid) {
    it(`answers 400 naming ${field} for ${label}`, async () => {
      const res = await batch(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    });
  }

  it("answers 404 for an unknown project", async () => {
    const res = await call("POST", "/projects/none/tasks/pull/batch", { key: client, body: {} });
    expect(res.status).toBe(404);
  });
});
