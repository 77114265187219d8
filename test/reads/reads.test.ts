import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, seedTasks } from "../helpers";

const uid = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

const task = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Task ${id}`,
  prompt: `Do ${id}`,
  status: "pending",
  ...extra,
});

async function pushQueue(projectId: string, queueId: string, tasks: unknown[]) {
  const res = await call("POST", "/submit", {
    body: {
      project_id: projectId,
      project_name: projectId,
      queue_id: queueId,
      queue_name: queueId,
      tasks,
    },
  });
  expect(res.status).toBe(200);
}

const sqlRun = (query: string, ...params: unknown[]) =>
  env.DB.prepare(query)
    .bind(...params)
    .run();

const ids = (res: { body: any }) => res.body.data.items.map((item: any) => item.task_id);

describe("GET /projects", () => {
  it("pages through every live project exactly once", async () => {
    const mine = [uid("list"), uid("list"), uid("list")];
    for (const p of mine) await pushQueue(p, "q", [task("a")]);

    const first = await call("GET", "/projects?pageSize=2");
    const { total, totalPages } = first.body.data.pagination;
    const seen: string[] = [];
    for (let page = 1; page <= totalPages; page += 1) {
      const res = await call("GET", `/projects?pageSize=2&page=${page}`);
      expect(res.body.data.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.items.map((item: any) => item.project_id));
    }

    expect(totalPages).toBe(Math.ceil(total / 2));
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual(expect.arrayContaining(mine));
  });

  it("leaves out deleted projects", async () => {
    const p = uid("deleted");
    await pushQueue(p, "q", [task("a")]);
    await sqlRun("UPDATE projects SET deleted_at = 1 WHERE project_id = ?", p);

    const res = await call("GET", "/projects?pageSize=100");

    expect(res.body.data.items.map((item: any) => item.project_id)).not.toContain(p);
  });

  it("returns 400 naming pageSize when it is over 100", async () => {
    const res = await call("GET", "/projects?pageSize=101");

    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("pageSize");
  });

  it("returns 400 naming page when it is not a positive integer", async () => {
    const res = await call("GET", "/projects?page=abc");

    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("page");
  });
});

describe("GET /projects/{projectId} and its queues", () => {
  it("returns the project", async () => {
    const p = uid("p");
    await pushQueue(p, "q", [task("a")]);

    const res = await call("GET", `/projects/${p}`);

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ project_id: p, name: p });
  });

  it("returns 404 for an unknown project", async () => {
    const res = await call("GET", "/projects/nope-nope");

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });

  it("returns 404 for a deleted project", async () => {
    const p = uid("p");
    await pushQueue(p, "q", [task("a")]);
    await sqlRun("UPDATE projects SET deleted_at = 1 WHERE project_id = ?", p);

    expect((await call("GET", `/projects/${p}`)).status).toBe(404);
    expect((await call("GET", `/projects/${p}/queues`)).status).toBe(404);
  });

  it("lists the live queues of a project", async () => {
    const p = uid("p");
    await pushQueue(p, "q1", [task("a")]);
    await pushQueue(p, "q2", [task("b")]);
    await pushQueue(p, "q3", [task("c")]);
    await sqlRun("UPDATE queues SET deleted_at = 1 WHERE project_id = ? AND queue_id = 'q3'", p);

    const res = await call("GET", `/projects/${p}/queues`);

    expect(res.body.data.items.map((q: any) => q.queue_id)).toEqual(["q1", "q2"]);
    expect(res.body.data.pagination).toEqual({ page: 1, pageSize: 20, total: 2, totalPages: 1 });
  });

  it("returns a queue with its live tasks counted by status", async () => {
    const p = uid("p");
    await pushQueue(p, "q", [
      task("a"),
      task("b", { status: "done" }),
      task("c", { status: "done" }),
    ]);

    const res = await call("GET", `/projects/${p}/queues/q`);

    expect(res.body.data).toMatchObject({ queue_id: "q", name: "q" });
    expect(res.body.data.task_counts).toEqual({
      total: 3,
      pending: 1,
      running: 0,
      done: 2,
      error: 0,
      cancelled: 0,
    });
  });

  it("returns 404 for a deleted queue", async () => {
    const p = uid("p");
    await pushQueue(p, "q", [task("a")]);
    await sqlRun("UPDATE queues SET deleted_at = 1 WHERE project_id = ?", p);

    const res = await call("GET", `/projects/${p}/queues/q`);

    expect(res.status).toBe(404);
  });
});

describe("GET /projects/{projectId}/tasks", () => {
  it("pages through tasks in id order", async () => {
    const p = uid("p");
    await pushQueue(
      p,
      "q",
      ["t1", "t2", "t3", "t4", "t5"].map((id) => task(id)),
    );

    const res = await call("GET", `/projects/${p}/tasks?page=2&pageSize=2`);

    expect(ids(res)).toEqual(["t3", "t4"]);
    expect(res.body.data.pagination).toEqual({ page: 2, pageSize: 2, total: 5, totalPages: 3 });
  });

  it("filters by status, source and queue_id", async () => {
    const p = uid("p");
    await pushQueue(p, "q1", [task("c1", { status: "done" }), task("c2")]);
    await pushQueue(p, "q2", [task("c3", { status: "done" })]);
    await seedTasks([{ projectId: p, taskId: "s1", status: "done" }]);

    const done = await call("GET", `/projects/${p}/tasks?status=done`);
    const server = await call("GET", `/projects/${p}/tasks?source=server`);
    const inQ1 = await call("GET", `/projects/${p}/tasks?queue_id=q1`);

    expect(ids(done)).toEqual(["c1", "c3", "s1"]);
    expect(ids(server)).toEqual(["s1"]);
    expect(ids(inQ1)).toEqual(["c1", "c2"]);
  });

  it("filters server tasks by pulled_status", async () => {
    const p = uid("p");
    const now = Date.now();
    await seedTasks(
      ["free", "held", "expired", "pushed"].map((taskId) => ({ projectId: p, taskId })),
    );
    await sqlRun(
      `UPDATE tasks SET pulled_at = ?1, lease_id = 'l', lease_expires_at = ?2
       WHERE project_id = ?3 AND task_id = 'held'`,
      now,
      now + 600_000,
      p,
    );
    await sqlRun(
      `UPDATE tasks SET pulled_at = ?1, lease_id = 'l', lease_expires_at = ?1
       WHERE project_id = ?2 AND task_id = 'expired'`,
      now - 1000,
      p,
    );
    await sqlRun(
      "UPDATE tasks SET pulled_at = 1, pushed_at = 2 WHERE project_id = ? AND task_id = 'pushed'",
      p,
    );

    const pulled = await call("GET", `/projects/${p}/tasks?pulled_status=pulled`);
    const notPulled = await call("GET", `/projects/${p}/tasks?pulled_status=not_pulled`);
    const pushed = await call("GET", `/projects/${p}/tasks?pulled_status=pushed`);

    expect(ids(pulled)).toEqual(["held"]);
    expect(ids(notPulled)).toEqual(["expired", "free"]);
    expect(ids(pushed)).toEqual(["pushed"]);
  });

  it("shows deleted tasks only with include_deleted=true", async () => {
    const p = uid("p");
    await pushQueue(p, "q", [task("a"), task("b")]);
    await pushQueue(p, "q", [task("a")]);

    const live = await call("GET", `/projects/${p}/tasks`);
    const all = await call("GET", `/projects/${p}/tasks?include_deleted=true`);

    expect(ids(live)).toEqual(["a"]);
    expect(ids(all)).toEqual(["a", "b"]);
    expect(all.body.data.items[1].deleted_at).not.toBeNull();
  });

  it.each([
    ["status", "status=finished"],
    ["source", "source=robot"],
    ["pulled_status", "pulled_status=maybe"],
    ["include_deleted", "include_deleted=yes"],
    ["pageSize", "pageSize=0"],
    ["queue_id", `queue_id=${"x".repeat(256)}`],
  ])("returns 400 naming %s when it is malformed", async (field, query) => {
    const p = uid("p");
    await pushQueue(p, "q", [task("a")]);

    const res = await call("GET", `/projects/${p}/tasks?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
  });

  it("returns 404 for an unknown project", async () => {
    expect((await call("GET", "/projects/unknown-project/tasks")).status).toBe(404);
  });
});

describe("GET a single task", () => {
  it("includes messages and logs", async () => {
    const p = uid("p");
    await pushQueue(p, "q", [
      task("a", { messages: [{ content: "m" }], logs: [{ content: "l" }] }),
    ]);

    const res = await call("GET", `/projects/${p}/tasks/a`);

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      task_id: "a",
      id: "a",
      messages: [{ content: "m" }],
      logs: [{ content: "l" }],
    });
  });

  it("returns 404 for a deleted task", async () => {
    const p = uid("p");
    await pushQueue(p, "q", [task("a"), task("b")]);
    await pushQueue(p, "q", [task("a")]);

    const res = await call("GET", `/projects/${p}/tasks/b`);

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });

  it("finds a task under its own queue", async () => {
    const p = uid("p");
    await pushQueue(p, "q1", [task("a")]);

    const res = await call("GET", `/projects/${p}/queues/q1/tasks/a`);

    expect(res.status).toBe(200);
    expect(res.body.data.queue_id).toBe("q1");
  });

  it("returns 404 for a task asked for under another queue", async () => {
    const p = uid("p");
    await pushQueue(p, "q1", [task("a")]);
    await pushQueue(p, "q2", [task("b")]);

    const res = await call("GET", `/projects/${p}/queues/q2/tasks/a`);

    expect(res.status).toBe(404);
  });

  it("names the missing project or queue, not the task, in its 404", async () => {
    const p = uid("p");
    await pushQueue(p, "q1", [task("a")]);

    const noQueue = await call("GET", `/projects/${p}/queues/nope/tasks/a`);
    const noProject = await call("GET", `/projects/${p}-gone/tasks/a`);
    const noTask = await call("GET", `/projects/${p}/queues/q1/tasks/zz`);

    expect(noQueue.status).toBe(404);
    expect(noQueue.body.error.message).toContain(`Queue nope in project ${p}`);
    expect(noProject.status).toBe(404);
    expect(noProject.body.error.message).toContain(`Project ${p}-gone`);
    expect(noTask.status).toBe(404);
    expect(noTask.body.error.message).toContain("Task zz");
  });
});

describe("GET /projects/{projectId}/queues/{queueId}/tasks", () => {
  it("lists only the tasks of that queue", async () => {
    const p = uid("p");
    await pushQueue(p, "q1", [task("a"), task("b")]);
    await pushQueue(p, "q2", [task("c")]);

    const res = await call("GET", `/projects/${p}/queues/q1/tasks`);

    expect(ids(res)).toEqual(["a", "b"]);
    expect(res.body.data.pagination.total).toBe(2);
  });

  it("returns 404 for an unknown queue", async () => {
    const p = uid("p");
    await pushQueue(p, "q1", [task("a")]);

    const res = await call("GET", `/projects/${p}/queues/nope/tasks`);

    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(`Queue nope in project ${p}`);
  });
});
