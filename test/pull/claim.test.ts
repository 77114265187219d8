import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, createKey, seedTasks } from "../helpers";

// Storage is shared by the tests of one file, so each test works in a project of its own.
let P: string;
let client: string;

beforeEach(async () => {
  P = `claim-${crypto.randomUUID().slice(0, 8)}`;
  client = (await createKey("client", { name: "worker-key" })).key;
});

const pull = (path: string, headers: Record<string, string> = {}) =>
  call("GET", `/projects/${P}${path}`, { key: client, headers });

const ids = (res: { body: any }) => res.body.data.tasks.map((t: any) => t.task_id);

async function setLease(taskId: string, lease: { id: string; expiresAt: number }) {
  await env.DB.prepare(
    `UPDATE tasks SET pulled_at = ?, pulled_by = 'someone', lease_id = ?, lease_expires_at = ?
     WHERE project_id = ? AND task_id = ?`,
  )
    .bind(lease.expiresAt - 60_000, lease.id, lease.expiresAt, P, taskId)
    .run();
  await env.DB.prepare(
    `INSERT INTO pull_events (task_row_id, project_id, task_id, lease_id, pulled_at, pulled_by,
       lease_expires_at)
     SELECT id, project_id, task_id, lease_id, pulled_at, pulled_by, lease_expires_at
     FROM tasks WHERE project_id = ? AND task_id = ?`,
  )
    .bind(P, taskId)
    .run();
}

describe("GET /projects/{p}/tasks/pull", () => {
  it("claims project-level server tasks under one lease, with an open event each", async () => {
    await seedTasks([
      { projectId: P, taskId: "a" },
      { projectId: P, taskId: "b" },
      { projectId: P, taskId: "q1", queueId: "q" },
      { projectId: P, taskId: "c1", source: "client" },
    ]);

    const res = await pull("/tasks/pull?limit=10", { "X-Client-Id": "client-001" });

    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.pulled_count).toBe(2);
    expect(ids(res)).toEqual(["a", "b"]);
    expect(Date.parse(data.lease_expires_at) - Date.now()).toBeGreaterThan(3590_000);
    for (const task of data.tasks) {
      expect(task).toMatchObject({
        source: "server",
        pulled_by: "client-001",
        lease_id: data.lease_id,
        pull_count: 1,
        queue_id: null,
      });
      expect(task.pulled_at).toEqual(expect.any(String));
    }
    const events = await env.DB.prepare(
      `SELECT task_id, lease_id, pulled_by, ended_at FROM pull_events
       WHERE project_id = ? ORDER BY task_id`,
    )
      .bind(P)
      .all();
    expect(events.results).toEqual([
      { task_id: "a", lease_id: data.lease_id, pulled_by: "client-001", ended_at: null },
      { task_id: "b", lease_id: data.lease_id, pulled_by: "client-001", ended_at: null },
    ]);
  });

  it("uses the key's name as pulled_by when no X-Client-Id is sent", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    const res = await pull("/tasks/pull");
    expect(res.body.data.tasks[0].pulled_by).toBe("worker-key");
  });

  it("never hands a held task to a second client", async () => {
    await seedTasks([{ projectId: P, taskId: "only" }]);
    const first = await pull("/tasks/pull", { "X-Client-Id": "one" });
    const second = await pull("/tasks/pull", { "X-Client-Id": "two" });
    expect(first.body.data.pulled_count).toBe(1);
    expect(second.status).toBe(200);
    expect(second.body.data).toEqual({
      tasks: [],
      pulled_count: 0,
      lease_id: null,
      lease_expires_at: null,
    });
  });

  it("pulls across the whole project with scope=all", async () => {
    await seedTasks([
      { projectId: P, taskId: "top" },
      { projectId: P, taskId: "in-q", queueId: "q" },
    ]);
    const res = await pull("/tasks/pull?scope=all");
    expect(ids(res).sort()).toEqual(["in-q", "top"]);
  });

  it("orders by priority rank, then age, then id", async () => {
    const t0 = Date.now() - 100_000;
    await seedTasks([
      { projectId: P, taskId: "none-old", createdAt: t0 },
      { projectId: P, taskId: "low", priority: "low", priorityRank: 1, createdAt: t0 },
      { projectId: P, taskId: "seven", priority: "7", priorityRank: 7, createdAt: t0 + 5 },
      { projectId: P, taskId: "high-new", priority: "high", priorityRank: 10, createdAt: t0 + 9 },
      { projectId: P, taskId: "high-old", priority: "high", priorityRank: 10, createdAt: t0 },
      { projectId: P, taskId: "ten-b", priority: "10", priorityRank: 10, createdAt: t0 + 9 },
      { projectId: P, taskId: "medium", priority: "medium", priorityRank: 5, createdAt: t0 },
      { projectId: P, taskId: "none-new", createdAt: t0 + 50 },
    ]);
    const res = await pull("/tasks/pull?limit=100");
    expect(ids(res)).toEqual([
      "high-old",
      "high-new",
      "ten-b",
      "seven",
      "medium",
      "low",
      "none-old",
      "none-new",
    ]);
  });

  it("returns priorities as sent: words stay words, numbers stay numbers", async () => {
    await seedTasks([
      { projectId: P, taskId: "w", priority: "high", priorityRank: 10 },
      { projectId: P, taskId: "n", priority: "3", priorityRank: 3 },
    ]);
    const res = await pull("/tasks/pull");
    expect(res.body.data.tasks.map((t: any) => t.priority)).toEqual(["high", 3]);
  });

  it("claims no more than limit, in order, and leaves the rest pullable", async () => {
    await seedTasks(
      ["t1", "t2", "t3"].map((taskId, i) => ({ projectId: P, taskId, createdAt: 1000 + i })),
    );
    expect(ids(await pull("/tasks/pull?limit=2"))).toEqual(["t1", "t2"]);
    expect(ids(await pull("/tasks/pull?limit=2"))).toEqual(["t3"]);
  });

  it("skips client, deleted, expired and pushed tasks", async () => {
    await seedTasks([
      { projectId: P, taskId: "ok" },
      { projectId: P, taskId: "client", source: "client" },
      { projectId: P, taskId: "expired", expiresAt: Date.now() - 1000 },
      { projectId: P, taskId: "future", expiresAt: Date.now() + 3_600_000 },
      { projectId: P, taskId: "deleted" },
      { projectId: P, taskId: "pushed" },
    ]);
    await env.DB.batch([
      env.DB.prepare(
        "UPDATE tasks SET deleted_at = 1 WHERE project_id = ? AND task_id = 'deleted'",
      ).bind(P),
      env.DB.prepare(
        "UPDATE tasks SET pushed_at = 1, pulled_at = 1 WHERE project_id = ? AND task_id = 'pushed'",
      ).bind(P),
    ]);
    expect(ids(await pull("/tasks/pull?limit=100")).sort()).toEqual(["future", "ok"]);
  });

  it("claims a task whose lease expired at once and closes the old claim as timeout", async () => {
    await seedTasks([{ projectId: P, taskId: "stale" }]);
    const expiredAt = Date.now() - 5000;
    await setLease("stale", { id: "old-lease", expiresAt: expiredAt });

    const res = await pull("/tasks/pull", { "X-Client-Id": "rescuer" });

    expect(ids(res)).toEqual(["stale"]);
    expect(res.body.data.tasks[0].pull_count).toBe(1);
    const events = await env.DB.prepare(
      `SELECT lease_id, outcome, ended_by, ended_at FROM pull_events
       WHERE project_id = ? ORDER BY id`,
    )
      .bind(P)
      .all();
    expect(events.results).toEqual([
      {
        lease_id: "old-lease",
        outcome: "timeout",
        ended_by: "system:timeout",
        ended_at: expiredAt,
      },
      { lease_id: res.body.data.lease_id, outcome: null, ended_by: null, ended_at: null },
    ]);
  });

  it("does not take a task whose lease is still live", async () => {
    await seedTasks([{ projectId: P, taskId: "held" }]);
    await setLease("held", { id: "live", expiresAt: Date.now() + 60_000 });
    expect(ids(await pull("/tasks/pull"))).toEqual([]);
  });

  it("honours lease_seconds for the lease expiry", async () => {
    await seedTasks([{ projectId: P, taskId: "a" }]);
    const before = Date.now();
    const res = await pull("/tasks/pull?lease_seconds=120");
    const expires = Date.parse(res.body.data.lease_expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 120_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 120_000);
  });

  it("answers 404 for an unknown project", async () => {
    const res = await call("GET", "/projects/nope/tasks/pull", { key: client });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });
});

describe("GET /projects/{p}/queues/{q}/tasks/pull", () => {
  it("claims only tasks of that queue", async () => {
    await seedTasks([
      { projectId: P, taskId: "q-a", queueId: "q" },
      { projectId: P, taskId: "other", queueId: "r" },
      { projectId: P, taskId: "top" },
    ]);
    const res = await pull("/queues/q/tasks/pull?limit=10");
    expect(ids(res)).toEqual(["q-a"]);
    expect(res.body.data.tasks[0].queue_id).toBe("q");
  });

  it("answers 404 for an unknown queue of a known project", async () => {
    await seedTasks([{ projectId: P, taskId: "x", queueId: "q" }]);
    const res = await pull("/queues/missing/tasks/pull");
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain("missing");
  });
});

describe("pull filters", () => {
  const t0 = Date.parse("2025-01-01T00:00:00.000Z");

  beforeEach(async () => {
    await seedTasks([
      { projectId: P, taskId: "pend", status: "pending", tags: ["GPU", "eu"], createdAt: t0 },
      { projectId: P, taskId: "run", status: "running", tags: ["cpu"], createdAt: t0 + 60_000 },
      {
        projectId: P,
        taskId: "hi",
        status: "pending",
        priority: "high",
        priorityRank: 10,
        createdAt: t0 + 120_000,
      },
    ]);
  });

  const cases: [string, string[]][] = [
    ["status=pending", ["hi", "pend"]],
    ["status=running", ["run"]],
    ["priority=high", ["hi"]],
    ["priority=10", ["hi"]],
    ["tags=gpu", ["pend"]],
    ["tags=nothing,CPU", ["run"]],
    ["since=2025-01-01T00:01:00.000Z", ["hi", "run"]],
    ["created_after=2025-01-01T00:00:00.000Z", ["hi", "run"]],
    ["created_before=2025-01-01T00:01:00.000Z", ["pend"]],
    ["modified_after=2025-01-01T00:01:00.000Z", ["hi"]],
    ["modified_before=2025-01-01T00:01:00.000Z", ["pend"]],
    ["status=pending&tags=eu", ["pend"]],
  ];
  for (const [query, expected] of cases) {
    it(`narrows the claim with ${query}`, async () => {
      expect(ids(await pull(`/tasks/pull?limit=100&${query}`)).sort()).toEqual(expected.sort());
    });
  }

  const malformed: [string, string][] = [
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=abc", "limit"],
    ["limit=2.5", "limit"],
    ["status=finished", "status"],
    ["priority=urgent", "priority"],
    ["priority=11", "priority"],
    ["tags=,,", "tags"],
    ["since=yesterday", "since"],
    ["created_after=2025-13-01", "created_after"],
    ["created_before=x", "created_before"],
    ["modified_after=1", "modified_after"],
    ["modified_before=", "modified_before"],
    ["lease_seconds=5", "lease_seconds"],
    ["lease_seconds=999999", "lease_seconds"],
    ["lease_seconds=ten", "lease_seconds"],
    ["scope=everything", "scope"],
  ];
  for (const [query, field] of malformed) {
    it(`answers 400 naming ${field} for ${query}`, async () => {
      const res = await pull(`/tasks/pull?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    });
  }

  it("answers 400 for a malformed X-Client-Id", async () => {
    const res = await pull("/tasks/pull", { "X-Client-Id": "x".repeat(129) });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("X-Client-Id");
  });
});
