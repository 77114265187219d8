import { beforeAll, describe, expect, it } from "vitest";
import { GUIDE, type GuideRequest } from "../guide-requests";
import { api, createOperator, e2e, expectStatus, ISO_MS, idsOf, type Reply } from "./client";

// The guide's walk-through, in its order, against data an operator created through the API.
// Each test depends on the ones before it, as the steps of the guide do.

const send = (request: GuideRequest): Promise<Reply> =>
  api(request.method, request.path, { headers: request.headers, body: request.body });

const HOUR_MS = 3_600_000;

type Operator = Awaited<ReturnType<typeof createOperator>>;
let operator: Operator;
let firstPull: Reply;

beforeAll(async () => {
  operator = await createOperator("guide-operator");
  await operator.putProject("my-project", "我的项目");
  await operator.putQueue("my-project", "my-queue", "我的队列");
  for (const taskId of ["task-001", "task-002", "task-003"]) {
    await operator.createTask("my-project", null, {
      task_id: taskId,
      name: "任务名称",
      prompt: "任务提示",
    });
  }
  for (const taskId of ["task-101", "task-102"]) {
    await operator.createTask("my-project", "my-queue", {
      task_id: taskId,
      name: "队列任务",
      prompt: "队列提示",
    });
  }
});

describe("the pull guide, replayed request by request", () => {
  it("1. pulls the project-level server tasks with the guide's fields", async () => {
    const before = Date.now();
    const reply = await send(GUIDE.pullProjectTasks);
    firstPull = reply;

    expectStatus(reply, 200);
    expect(reply.body.success).toBe(true);
    expect(reply.body.data.pulled_count).toBe(3);
    expect(idsOf(reply.body.data.tasks)).toEqual(["task-001", "task-002", "task-003"]);
    for (const task of reply.body.data.tasks) {
      expect(task).toMatchObject({
        name: "任务名称",
        prompt: "任务提示",
        status: "pending",
        source: "server",
        queue_id: null,
        pulled_by: e2e.devKeyName,
      });
      expect(task.pulled_at).toMatch(ISO_MS);
      expect(Date.parse(task.pulled_at)).toBeGreaterThanOrEqual(before - 1_000);
    }
  });

  it("1. gives every task of one pull the same lease, for PULL_TIMEOUT_SECONDS", () => {
    const { tasks, lease_id, lease_expires_at } = firstPull.body.data;

    expect(lease_id).toEqual(expect.any(String));
    for (const task of tasks) expect(task.lease_id).toBe(lease_id);
    expect(Date.parse(lease_expires_at) - Date.parse(tasks[0].pulled_at)).toBe(HOUR_MS);
  });

  it("1. does not hand out tasks that are already pulled", async () => {
    const reply = await send(GUIDE.pullProjectTasks);

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({ tasks: [], pulled_count: 0 });
  });

  it("2. pulls the tasks of one queue", async () => {
    const reply = await send(GUIDE.pullQueueTasks);

    expectStatus(reply, 200);
    expect(reply.body.data.pulled_count).toBe(2);
    expect(idsOf(reply.body.data.tasks)).toEqual(["task-101", "task-102"]);
    for (const task of reply.body.data.tasks) {
      expect(task).toMatchObject({ queue_id: "my-queue", source: "server" });
    }
  });

  it("3. pulls only tasks of the requested status", async () => {
    await operator.createTask("my-project", null, {
      task_id: "task-004",
      name: "待办",
      prompt: "",
    });
    await operator.createTask("my-project", null, {
      task_id: "task-005",
      name: "进行中",
      prompt: "",
      status: "running",
    });

    const reply = await send(GUIDE.pullPending);

    expectStatus(reply, 200);
    expect(idsOf(reply.body.data.tasks)).toEqual(["task-004"]);
  });

  it("4. batch-pulls by filters, all in the requested status", async () => {
    await operator.createTask("my-project", null, {
      task_id: "task-006",
      name: "批量",
      prompt: "",
    });
    await operator.createTask("my-project", null, {
      task_id: "task-007",
      name: "已完成",
      prompt: "",
      status: "done",
    });

    const reply = await send(GUIDE.pullBatch);

    expectStatus(reply, 200);
    expect(idsOf(reply.body.data.tasks)).toEqual(["task-006"]);
    expect(reply.body.data.pulled_count).toBe(1);
    expect(reply.body.data.lease_id).toEqual(expect.any(String));
    expect(reply.body.data.failed).toEqual([]);
  });

  it("5. releases the claim on task-001", async () => {
    const reply = await send(GUIDE.release);

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({ task_id: "task-001", released: true });
    expect(reply.body.data.released_at).toMatch(ISO_MS);
  });

  it("5. answers a second release with released: false", async () => {
    const reply = await send(GUIDE.release);

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({ task_id: "task-001", released: false });
  });

  it("5. makes a released task pullable again", async () => {
    // The status filter leaves task-005 (running) and task-007 (done) unpulled.
    const reply = await send(GUIDE.pullPending);

    expectStatus(reply, 200);
    expect(idsOf(reply.body.data.tasks)).toEqual(["task-001"]);
  });

  it("6. accepts the pushed result of task-001", async () => {
    const reply = await send(GUIDE.submit);

    expectStatus(reply, 200);
    expect(reply.body.success).toBe(true);
    expect(reply.body.data).toMatchObject({
      project_id: "my-project",
      queue_id: "my-queue",
      tasks_count: 1,
    });
  });

  it("6. keeps the pushed task a server task, now done, in the submitted queue", async () => {
    const reply = await api("GET", "/api/v1/projects/my-project/tasks/task-001", {
      key: e2e.devKey,
    });

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({
      task_id: "task-001",
      status: "done",
      report: ".flow/tasks/report/task-001.md",
      source: "server",
      queue_id: "my-queue",
      lease_id: null,
    });
    expect(reply.body.data.pushed_at).toMatch(ISO_MS);
  });

  it("stats: counts the pulls, and the submit as a success", async () => {
    const reply = await send(GUIDE.stats);

    expectStatus(reply, 200);
    const stats = reply.body.data;
    // task-001…007 and task-101, task-102.
    expect(stats.total_server_tasks).toBe(9);
    expect(stats.pulled + stats.not_pulled).toBe(stats.total_server_tasks);
    // Two finished pulls of task-001: one released, one submitted.
    expect(stats.pull_success_rate).toBe(50);
    expect(stats.average_pull_duration).toBeGreaterThanOrEqual(0);
    expect(stats.pulled_not_pushed).toBe(6);
    expect(stats.released).toBe(1);
    expect(stats.timed_out).toBe(0);
  });

  it("history: lists both pulls of task-001, oldest first", async () => {
    const reply = await send(GUIDE.history);

    expectStatus(reply, 200);
    const history = reply.body.data;
    expect(history).toMatchObject({ task_id: "task-001", current_pull: null, total_pulls: 2 });
    expect(history.pull_history.map((p: any) => p.outcome)).toEqual(["released", "submitted"]);
    expect(history.pull_history[0]).toMatchObject({
      pulled_by: e2e.devKeyName,
      released_by: e2e.devKeyName,
    });
    expect(history.pull_history[0].lease_id).not.toBe(history.pull_history[1].lease_id);
  });

  it("pending: lists no task held for an hour yet", async () => {
    const reply = await send(GUIDE.pending);

    expectStatus(reply, 200);
    expect(reply.body.data).toEqual({ tasks: [], total: 0 });
  });

  it("pending: with timeout=0, lists every task held and not pushed", async () => {
    const reply = await api("GET", "/api/v1/projects/my-project/tasks/pull/pending?timeout=0", {
      key: e2e.devKey,
    });

    expectStatus(reply, 200);
    expect(reply.body.data.total).toBe(6);
    expect(idsOf(reply.body.data.tasks).sort()).toEqual(
      ["task-002", "task-003", "task-004", "task-006", "task-101", "task-102"].sort(),
    );
    expect(reply.body.data.tasks[0]).toMatchObject({ pulled_by: e2e.devKeyName });
    expect(reply.body.data.tasks[0].held_seconds).toBeGreaterThanOrEqual(0);
  });

  it("batch release: frees the held tasks and names the one not held", async () => {
    const reply = await send(GUIDE.releaseBatch);

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({ released_count: 2, failed_count: 1 });
    expect(idsOf(reply.body.data.released).sort()).toEqual(["task-002", "task-003"]);
    expect(reply.body.data.failed_tasks).toEqual([{ task_id: "task-001", reason: "NOT_PULLED" }]);
  });
});

describe("the guide's error handling", () => {
  it("answers 404 for a project that does not exist", async () => {
    const reply = await api("GET", "/api/v1/projects/no-such-project/tasks/pull?limit=10", {
      key: e2e.devKey,
    });

    expectStatus(reply, 404);
    expect(reply.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });

  it("answers 404 for a queue that does not exist", async () => {
    const path = "/api/v1/projects/my-project/queues/no-such-queue/tasks/pull?limit=10";
    const reply = await api("GET", path, { key: e2e.devKey });

    expectStatus(reply, 404);
    expect(reply.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });

  it("answers 400 naming the parameter for an unknown status", async () => {
    const path = "/api/v1/projects/my-project/tasks/pull?status=finished&limit=10";
    const reply = await api("GET", path, { key: e2e.devKey });

    expectStatus(reply, 400);
    expect(reply.body.error.code).toBe("VALIDATION_ERROR");
    expect(JSON.stringify(reply.body.error.details)).toContain("status");
  });
});
