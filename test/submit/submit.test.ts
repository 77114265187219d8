import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, seedTasks } from "../helpers";
import { countRows, holdLease, submit, submitBody, task, taskRow, uid } from "./fixtures";

describe("POST /submit: creating and updating", () => {
  it("accepts the guide's example request as written", async () => {
    const res = await submit({
      project_id: "my-project",
      project_name: "我的项目",
      queue_id: "my-queue",
      queue_name: "我的队列",
      tasks: [
        {
          id: "task-001",
          name: "更新后的任务",
          prompt: "更新后的提示",
          status: "done",
          report: ".flow/tasks/report/task-001.md",
        },
      ],
    });

    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data).toEqual({
      project_id: "my-project",
      queue_id: "my-queue",
      tasks_count: 1,
      created_tasks: 1,
      updated_tasks: 0,
      skipped: [],
    });
    const detail = await call("GET", "/projects/my-project/queues/my-queue/tasks/task-001");
    expect(detail.body.data).toMatchObject({
      task_id: "task-001",
      name: "更新后的任务",
      status: "done",
      report: ".flow/tasks/report/task-001.md",
      source: "client",
      queue_id: "my-queue",
    });
  });

  it("creates the project and the queue with the names given", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a")], { clientInfo: { host: "ci" }, meta: { run: 1 } }));

    const project = await call("GET", `/projects/${p}`);
    const queue = await call("GET", `/projects/${p}/queues/q1`);
    expect(project.body.data).toMatchObject({ name: `Project ${p}`, client_info: { host: "ci" } });
    expect(queue.body.data).toMatchObject({ name: "Queue one", meta: { run: 1 } });
  });

  it("counts created and updated tasks separately", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a"), task("b")]));

    const res = await submit(submitBody(p, [task("a", { status: "done" }), task("b"), task("c")]));

    expect(res.body.data).toMatchObject({ tasks_count: 3, created_tasks: 1, updated_tasks: 2 });
    expect((await taskRow(p, "a"))?.status).toBe("done");
  });

  it("renames the project and queue on a later submit", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a")]));

    await submit(submitBody(p, [task("a")], { project_name: "Renamed", queue_name: "Q renamed" }));

    expect((await call("GET", `/projects/${p}`)).body.data.name).toBe("Renamed");
    expect((await call("GET", `/projects/${p}/queues/q1`)).body.data.name).toBe("Q renamed");
  });

  it("stores a spec_file string as a one-element list", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a", { spec_file: "specs/a.md" })]));

    const res = await call("GET", `/projects/${p}/tasks/a`);
    expect(res.body.data.spec_file).toEqual(["specs/a.md"]);
  });

  it("stores the priority as given together with its numeric rank", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a", { priority: "high" }), task("b", { priority: 7 })]));

    expect(await taskRow(p, "a")).toMatchObject({ priority: "high", priority_rank: 10 });
    expect(await taskRow(p, "b")).toMatchObject({ priority: "7", priority_rank: 7 });
    expect((await call("GET", `/projects/${p}/tasks/b`)).body.data.priority).toBe(7);
  });

  it("keeps the fields a later submit leaves out", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a", { tags: ["gpu"], priority: "low", report: "r.md" })]));

    await submit(submitBody(p, [task("a", { status: "done" })]));

    const data = (await call("GET", `/projects/${p}/tasks/a`)).body.data;
    expect(data).toMatchObject({ status: "done", tags: ["gpu"], priority: "low", report: "r.md" });
  });

  it("clears a field sent as null", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a", { report: "r.md", priority: "high" })]));

    await submit(submitBody(p, [task("a", { report: null, priority: null })]));

    expect(await taskRow(p, "a")).toMatchObject({ report: null, priority: null, priority_rank: 0 });
  });

  it("keeps messages and logs and shows them in the task detail", async () => {
    const p = uid("p");
    const messages = [{ role: "user", content: "hi" }];
    const logs = [{ content: "started" }];
    await submit(submitBody(p, [task("a", { messages, logs })]));

    const data = (await call("GET", `/projects/${p}/tasks/a`)).body.data;
    expect(data.messages).toEqual(messages);
    expect(data.logs).toEqual(logs);
  });

  it("applies a submit whose tasks need several JSON chunks", async () => {
    const p = uid("p");
    const prompt = "x".repeat(4000);
    const tasks = Array.from({ length: 1000 }, (_, i) => task(`t${i}`, { prompt }));

    const res = await submit(submitBody(p, tasks));

    expect(res.status).toBe(200);
    expect(res.body.data.created_tasks).toBe(1000);
    expect(await countRows("tasks", p)).toBe(1000);
  });
  it("keeps client info, git info and queue meta a later submit leaves out", async () => {
    const p = uid("p");
    const info = { clientInfo: { host: "ci" }, gitInfo: { branch: "main" }, meta: { run: 1 } };
    await submit(submitBody(p, [task("a")], info));

    await submit(submitBody(p, [task("a")]));

    const project = (await call("GET", `/projects/${p}`)).body.data;
    const queue = (await call("GET", `/projects/${p}/queues/q1`)).body.data;
    expect(project).toMatchObject({ client_info: { host: "ci" }, git_info: { branch: "main" } });
    expect(queue.meta).toEqual({ run: 1 });
  });

  it("revives a deleted project and queue but not the tasks an operator deleted", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("old")]));
    await env.DB.batch([
      env.DB.prepare("UPDATE projects SET deleted_at = 1 WHERE project_id = ?").bind(p),
      env.DB.prepare("UPDATE queues SET deleted_at = 1 WHERE project_id = ?").bind(p),
      env.DB.prepare(
        "UPDATE tasks SET deleted_at = 1, deleted_by = 'server' WHERE project_id = ?",
      ).bind(p),
    ]);

    const res = await submit(submitBody(p, [task("old"), task("new")]));

    expect(res.body.data).toMatchObject({
      created_tasks: 1,
      skipped: [{ task_id: "old", reason: "DELETED" }],
    });
    expect((await call("GET", `/projects/${p}/queues/q1`)).status).toBe(200);
    expect((await call("GET", `/projects/${p}/tasks/old`)).status).toBe(404);
  });
});

describe("POST /submit: the queue mirrors the client's list", () => {
  it("soft-deletes client tasks of the queue that the submit no longer lists", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a"), task("b")]));

    await submit(submitBody(p, [task("a")]));

    expect(await taskRow(p, "b")).toMatchObject({ deleted_by: "mirror" });
    expect((await taskRow(p, "b"))?.deleted_at).not.toBeNull();
    expect((await call("GET", `/projects/${p}/tasks/b`)).status).toBe(404);
  });

  it("revives a mirror-deleted task when the client lists it again", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a"), task("b")]));
    await submit(submitBody(p, [task("a")]));

    const res = await submit(submitBody(p, [task("a"), task("b")]));

    expect(res.body.data).toMatchObject({ created_tasks: 1, updated_tasks: 1, skipped: [] });
    expect(await taskRow(p, "b")).toMatchObject({ deleted_at: null, deleted_by: null });
  });

  it("never removes server tasks missing from the submission", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv", queueId: "q1" }]);

    await submit(submitBody(p, [task("a")]));

    expect(await taskRow(p, "srv")).toMatchObject({ deleted_at: null, source: "server" });
  });

  it("leaves the client tasks of other queues alone", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("other")], { queue_id: "q2" }));

    await submit(submitBody(p, [task("a")]));

    expect(await taskRow(p, "other")).toMatchObject({ deleted_at: null, queue_id: "q2" });
  });

  it("moves a client task submitted under another queue into that queue", async () => {
    const p = uid("p");
    await submit(submitBody(p, [task("a")], { queue_id: "q2" }));

    await submit(submitBody(p, [task("a")]));

    expect(await taskRow(p, "a")).toMatchObject({ queue_id: "q1", deleted_at: null });
  });
});

describe("POST /submit: pushing server tasks back", () => {
  it("updates a server task and keeps its source", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv", queueId: "q1" }]);

    const res = await submit(submitBody(p, [task("srv", { status: "done", report: "ok" })]));

    expect(res.body.data).toMatchObject({ created_tasks: 0, updated_tasks: 1 });
    expect(await taskRow(p, "srv")).toMatchObject({
      source: "server",
      status: "done",
      report: "ok",
    });
  });

  it("moves a project-level server task into the submitted queue", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv" }]);

    await submit(submitBody(p, [task("srv", { status: "done" })]));

    expect((await taskRow(p, "srv"))?.queue_id).toBe("q1");
  });

  it("leaves a server task of another queue in that queue", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv", queueId: "q2" }]);

    await submit(submitBody(p, [task("srv", { status: "done" })]));

    expect((await taskRow(p, "srv"))?.queue_id).toBe("q2");
  });

  it("closes the open pull event as submitted by the client identity", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv" }]);
    await holdLease(p, "srv", "lease-1", Date.now() + 600_000);

    const res = await submit(submitBody(p, [task("srv", { status: "done" })]), {
      "X-Client-Id": "agent-7",
    });

    expect(res.status).toBe(200);
    const event = await env.DB.prepare(
      "SELECT * FROM pull_events WHERE lease_id = 'lease-1'",
    ).first<Record<string, any>>();
    expect(event).toMatchObject({ outcome: "submitted", ended_by: "agent-7" });
    expect(event?.ended_at).toBeGreaterThan(0);
  });

  it("marks the task pushed, clears the lease and keeps who pulled it", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv" }]);
    await holdLease(p, "srv", "lease-2", Date.now() + 600_000);

    await submit(submitBody(p, [task("srv", { status: "done", lease_id: "lease-2" })]));

    const row = await taskRow(p, "srv");
    expect(row).toMatchObject({
      lease_id: null,
      lease_expires_at: null,
      pulled_by_key_id: null,
      pulled_by: "worker-1",
    });
    expect(row?.pulled_at).not.toBeNull();
    expect(row?.pushed_at).not.toBeNull();
  });

  it("skips a task an operator deleted and reports it as DELETED", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "gone", queueId: "q1" }]);
    await env.DB.prepare(
      "UPDATE tasks SET deleted_at = 1, deleted_by = 'server', name = 'old' WHERE project_id = ?",
    )
      .bind(p)
      .run();

    const res = await submit(submitBody(p, [task("gone"), task("new")]));

    expect(res.body.data).toMatchObject({
      tasks_count: 2,
      created_tasks: 1,
      updated_tasks: 0,
      skipped: [{ task_id: "gone", reason: "DELETED" }],
    });
    expect(await taskRow(p, "gone")).toMatchObject({ deleted_by: "server", name: "old" });
  });
});
