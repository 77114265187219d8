import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, createKey, seedTasks } from "../helpers";

let P: string;
let alice: string;
let bob: string;
let manager: string;

beforeEach(async () => {
  P = `lease-${crypto.randomUUID().slice(0, 8)}`;
  alice = (await createKey("client", { name: "alice" })).key;
  bob = (await createKey("client", { name: "bob" })).key;
  manager = (await createKey("manager")).key;
  await seedTasks([
    { projectId: P, taskId: "t1" },
    { projectId: P, taskId: "t2" },
    { projectId: P, taskId: "q1", queueId: "q" },
  ]);
});

const pullOne = async (key: string, path = "/tasks/pull?limit=1") => {
  const res = await call("GET", `/projects/${P}${path}`, { key });
  return res.body.data;
};
const release = (taskId: string, key: string, body: object = {}) =>
  call("POST", `/projects/${P}/tasks/${taskId}/pull/release`, { key, body });
const extend = (taskId: string, key: string, body: object) =>
  call("POST", `/projects/${P}/tasks/${taskId}/pull/extend`, { key, body });

async function expireLease(taskId: string) {
  await env.DB.prepare("UPDATE tasks SET lease_expires_at = ? WHERE project_id = ? AND task_id = ?")
    .bind(Date.now() - 1000, P, taskId)
    .run();
}

async function outcomes(taskId: string) {
  const rows = await env.DB.prepare(
    "SELECT outcome, ended_by FROM pull_events WHERE project_id = ? AND task_id = ? ORDER BY id",
  )
    .bind(P, taskId)
    .all();
  return rows.results;
}

describe("release", () => {
  it("releases a held task so another client can pull it", async () => {
    const pulled = await pullOne(alice);
    const res = await release("t1", alice);

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ task_id: "t1", released: true });
    expect(Date.parse(res.body.data.released_at)).not.toBeNaN();
    const again = await pullOne(bob);
    expect(again.tasks[0].task_id).toBe("t1");
    expect(again.tasks[0].pulled_by).toBe("bob");
    expect(again.lease_id).not.toBe(pulled.lease_id);
    expect(await outcomes("t1")).toEqual([
      { outcome: "released", ended_by: "alice" },
      { outcome: null, ended_by: null },
    ]);
  });

  it("is idempotent: releasing twice answers released false the second time", async () => {
    await pullOne(alice);
    await release("t1", alice);
    const second = await release("t1", alice);
    expect(second.status).toBe(200);
    expect(second.body.data).toEqual({ task_id: "t1", released: false });
  });

  it("answers released false for a task that was never pulled", async () => {
    const res = await release("t2", alice);
    expect(res.body.data).toEqual({ task_id: "t2", released: false });
  });

  it("works for queue tasks", async () => {
    await pullOne(alice, "/queues/q/tasks/pull");
    const res = await release("q1", alice);
    expect(res.body.data.released).toBe(true);
  });

  it("accepts the current lease_id", async () => {
    const { lease_id } = await pullOne(alice);
    const res = await release("t1", alice, { lease_id });
    expect(res.body.data.released).toBe(true);
  });

  it("treats a repeat of a successful release with the same lease_id as a no-op", async () => {
    const { lease_id } = await pullOne(alice);
    await release("t1", alice, { lease_id });
    const repeat = await release("t1", alice, { lease_id });
    expect(repeat.status).toBe(200);
    expect(repeat.body.data.released).toBe(false);
  });

  it("returns 409 LEASE_MISMATCH for a lease_id that is not the current one", async () => {
    await pullOne(alice);
    const res = await release("t1", alice, { lease_id: "not-the-lease" });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("LEASE_MISMATCH");
  });

  it("forbids releasing another key's claim without a lease_id", async () => {
    await pullOne(alice);
    const res = await release("t1", bob);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
  });

  it("lets a manager release any claim", async () => {
    await pullOne(alice);
    const res = await release("t1", manager);
    expect(res.body.data.released).toBe(true);
  });

  it("answers 404 for an unknown task", async () => {
    const res = await release("ghost", alice);
    expect(res.status).toBe(404);
  });

  it("closes an expired lease as a timeout and answers released false", async () => {
    const { lease_id } = await pullOne(alice);
    await expireLease("t1");

    const res = await release("t1", alice, { lease_id });

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ task_id: "t1", released: false });
    expect(await outcomes("t1")).toEqual([{ outcome: "timeout", ended_by: "system:timeout" }]);
  });

  it("rejects unknown body fields with 400", async () => {
    const res = await release("t1", alice, { leaseId: "camel" });
    expect(res.status).toBe(400);
  });
});

describe("lease lifecycle", () => {
  it("pull → extend → submit closes the event as submitted", async () => {
    const { lease_id } = await pullOne(alice);
    const extended = await extend("t1", alice, { lease_id, lease_seconds: 7200 });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.body.data.lease_expires_at)).toBeGreaterThan(Date.now() + 7100_000);

    const submit = await call("POST", "/submit", {
      key: alice,
      body: {
        project_id: P,
        project_name: P,
        queue_id: "done-q",
        queue_name: "Done",
        tasks: [{ id: "t1", name: "t1", prompt: "", status: "done", lease_id }],
      },
    });
    expect(submit.status).toBe(200);
    expect(await outcomes("t1")).toEqual([{ outcome: "submitted", ended_by: "alice" }]);
  });

  it("caps an extension at MAX_LEASE_SECONDS", async () => {
    const { lease_id } = await pullOne(alice);
    const res = await extend("t1", alice, { lease_id, lease_seconds: 10_000_000 });
    expect(res.status).toBe(200);
    const cap = Date.now() + 43_200_000;
    expect(Date.parse(res.body.data.lease_expires_at)).toBeLessThanOrEqual(cap);
    expect(Date.parse(res.body.data.lease_expires_at)).toBeGreaterThan(cap - 60_000);
  });

  it("answers 409 when extending a lease that was released", async () => {
    const { lease_id } = await pullOne(alice);
    await release("t1", alice);
    const res = await extend("t1", alice, { lease_id });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("LEASE_MISMATCH");
  });

  it("answers 409 when extending an expired lease", async () => {
    const { lease_id } = await pullOne(alice);
    await expireLease("t1");
    const res = await extend("t1", alice, { lease_id });
    expect(res.status).toBe(409);
  });

  it("pull → expire → claimed by another client; the first one's old lease gets 409", async () => {
    const first = await pullOne(alice);
    await expireLease("t1");

    const second = await pullOne(bob);
    expect(second.tasks[0].task_id).toBe("t1");

    const staleRelease = await release("t1", alice, { lease_id: first.lease_id });
    expect(staleRelease.status).toBe(409);
    const staleSubmit = await call("POST", "/submit", {
      key: alice,
      body: {
        project_id: P,
        project_name: P,
        queue_id: "done-q",
        queue_name: "Done",
        tasks: [{ id: "t1", name: "t1", prompt: "", status: "done", lease_id: first.lease_id }],
      },
    });
    expect(staleSubmit.status).toBe(409);
    expect(staleSubmit.body.error.code).toBe("LEASE_MISMATCH");
    expect(await outcomes("t1")).toEqual([
      { outcome: "timeout", ended_by: "system:timeout" },
      { outcome: null, ended_by: null },
    ]);
  });
});

describe("POST /projects/{p}/tasks/{t}/pull/reset", () => {
  it("clears a held task's claim with outcome reset so it is pullable again", async () => {
    await pullOne(alice);
    const res = await call("POST", `/projects/${P}/tasks/t1/pull/reset`, { key: manager });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ task_id: "t1", reset: true, was_held: true });
    expect(await outcomes("t1")).toEqual([{ outcome: "reset", ended_by: expect.any(String) }]);
    expect((await pullOne(bob)).tasks[0].task_id).toBe("t1");
  });

  it("makes a pushed task pullable again", async () => {
    await env.DB.prepare(
      "UPDATE tasks SET pushed_at = 1, pulled_at = 1 WHERE project_id = ? AND task_id = 't1'",
    )
      .bind(P)
      .run();
    await call("POST", `/projects/${P}/tasks/t1/pull/reset`, { key: manager });
    const again = await pullOne(bob, "/tasks/pull?limit=10");
    expect(again.tasks.map((t: any) => t.task_id)).toContain("t1");
  });

  it("records a lease that had already expired as a timeout, not a reset", async () => {
    await pullOne(alice);
    await expireLease("t1");
    const res = await call("POST", `/projects/${P}/tasks/t1/pull/reset`, { key: manager });
    expect(res.body.data.was_held).toBe(false);
    expect(await outcomes("t1")).toEqual([{ outcome: "timeout", ended_by: "system:timeout" }]);
  });

  it("is refused to a client key", async () => {
    const res = await call("POST", `/projects/${P}/tasks/t1/pull/reset`, { key: alice });
    expect(res.status).toBe(403);
  });
});

describe("POST /projects/{p}/tasks/pull/release/batch", () => {
  it("releases what the caller holds and explains every other id", async () => {
    await pullOne(alice, "/tasks/pull?limit=1");
    await pullOne(bob, "/tasks/pull?limit=1");
    const res = await call("POST", `/projects/${P}/tasks/pull/release/batch`, {
      key: alice,
      body: { taskIds: ["t1", "t2", "q1", "ghost"] },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      released_count: 1,
      failed_count: 3,
      released: ["t1"],
      failed_tasks: [
        { task_id: "t2", reason: "FORBIDDEN" },
        { task_id: "q1", reason: "NOT_PULLED" },
        { task_id: "ghost", reason: "NOT_FOUND" },
      ],
    });
    expect(await outcomes("t1")).toEqual([{ outcome: "released", ended_by: "alice" }]);
  });

  it("answers 404 for an unknown project", async () => {
    const res = await call("POST", "/projects/nowhere/tasks/pull/release/batch", {
      key: alice,
      body: { taskIds: ["t1"] },
    });
    expect(res.status).toBe(404);
  });

  it("rejects more than 100 ids", async () => {
    const taskIds = Array.from({ length: 101 }, (_, i) => `x${i}`);
    const res = await call("POST", `/projects/${P}/tasks/pull/release/batch`, {
      key: alice,
      body: { taskIds },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("taskIds");
  });
});
