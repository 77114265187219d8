import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/auth/keys";
import { GUIDE, type GuideRequest } from "../guide-requests";
import { call } from "../helpers";

// Every request of ../shared/seed/pull-api-guide.zh.md (test/guide-requests.ts), sent exactly as
// the guide writes it, with the guide's own key `your-api-key`.
const GUIDE_KEY = "your-api-key";
const HOST = "http://localhost:3000";

async function guide(request: GuideRequest) {
  const { method, headers, body } = request;
  const res = await exports.default.fetch(`${HOST}${request.path}`, { method, headers, body });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  // The guide's key, as a client key named like the guide's example puller.
  await env.DB.prepare(
    `INSERT INTO api_keys (id, name, role, key_hash, key_prefix, created_at)
     VALUES ('key_guide', 'client-001', 'client', ?, 'your-ap', ?)`,
  )
    .bind(await hashApiKey(GUIDE_KEY), Date.now())
    .run();

  // An operator prepares the work through the API first.
  const project = await call("PUT", "/projects/my-project", { body: { name: "我的项目" } });
  expect(project.status).toBe(201);
  const queue = await call("PUT", "/projects/my-project/queues/my-queue", {
    body: { name: "我的队列" },
  });
  expect(queue.status).toBe(201);
  for (const [path, taskId] of [
    ["/projects/my-project/tasks", "task-001"],
    ["/projects/my-project/tasks", "task-002"],
    ["/projects/my-project/queues/my-queue/tasks", "task-003"],
    ["/projects/my-project/queues/my-queue/tasks", "task-004"],
  ] as const) {
    const res = await call("POST", path, {
      body: { task_id: taskId, name: "任务名称", prompt: "任务提示", status: "pending" },
    });
    expect(res.status).toBe(201);
  }
});

describe("the user's pull guide, request for request", () => {
  it("1. pulls project-level tasks (limit=10)", async () => {
    const res = await guide(GUIDE.pullProjectTasks);
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.pulled_count).toBe(2);
    expect(res.body.data.tasks[0]).toMatchObject({
      task_id: "task-001",
      name: "任务名称",
      prompt: "任务提示",
      status: "pending",
      source: "server",
      pulled_by: "client-001",
    });
    expect(Date.parse(res.body.data.tasks[0].pulled_at)).not.toBeNaN();
  });

  it("2. pulls a queue's tasks", async () => {
    const res = await guide(GUIDE.pullQueueTasks);
    expect(res.status).toBe(200);
    expect(res.body.data.tasks.map((t: any) => t.task_id)).toEqual(["task-003", "task-004"]);
  });

  it("3. filters by status (nothing left: everything is held)", async () => {
    const res = await guide(GUIDE.pullPending);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ tasks: [], pulled_count: 0 });
  });

  it("5. releases task-001, which makes it pullable again", async () => {
    const res = await guide(GUIDE.release);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ task_id: "task-001", released: true });
  });

  it("4. batch-pulls with filters and gets task-001 back", async () => {
    const res = await guide(GUIDE.pullBatch);
    expect(res.status).toBe(200);
    expect(res.body.data.tasks.map((t: any) => t.task_id)).toEqual(["task-001"]);
    expect(res.body.data.failed).toEqual([]);
  });

  it("6. pushes the finished task through submit", async () => {
    const res = await guide(GUIDE.submit);
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
  });

  it("advanced 1. reports pull stats, counting the submit", async () => {
    const res = await guide(GUIDE.stats);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      total_server_tasks: 4,
      not_pulled: 0,
      pulled: 4,
      pull_success_rate: 50,
    });
    expect(res.body.data.average_pull_duration).toEqual(expect.any(Number));
  });

  it("advanced 2. shows task-001's pull history", async () => {
    const res = await guide(GUIDE.history);
    expect(res.status).toBe(200);
    expect(res.body.data.total_pulls).toBe(2);
    expect(res.body.data.pull_history.map((e: any) => e.outcome)).toEqual([
      "released",
      "submitted",
    ]);
  });

  it("advanced 3. lists claims not pushed within the timeout", async () => {
    const res = await guide(GUIDE.pending);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ tasks: [], total: 0 });
  });

  it("advanced 4. batch-releases task-001..003", async () => {
    const res = await guide(GUIDE.releaseBatch);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      released_count: 2,
      failed_count: 1,
      released: ["task-002", "task-003"],
      failed_tasks: [{ task_id: "task-001", reason: "NOT_PULLED" }],
    });
  });
});
