import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers";
import { eventsOf, holdClaim, makeProject, makeTask, taskRow } from "./fixtures";

describe("DELETE /projects/{projectId}/queues/{queueId}", () => {
  it("soft-deletes the queue and its tasks as the server, answering the counts", async () => {
    await makeProject("qdel", ["doomed", "kept"]);
    await makeTask("qdel", "t1", { queueId: "doomed" });
    await makeTask("qdel", "t2", { queueId: "doomed" });
    await makeTask("qdel", "t3", { queueId: "kept" });

    const res = await call("DELETE", "/projects/qdel/queues/doomed");

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      project_id: "qdel",
      queue_id: "doomed",
      deleted_tasks_count: 2,
    });
    const t1 = await taskRow("qdel", "t1");
    expect(t1.deleted_at).not.toBeNull();
    expect(t1.deleted_by).toBe("server");
    expect((await taskRow("qdel", "t3")).deleted_at).toBeNull();
  });

  it("closes a held task's open claim as deleted and keeps the event row", async () => {
    await makeProject("qdel-held", ["q"]);
    await makeTask("qdel-held", "held", { queueId: "q" });
    await holdClaim("qdel-held", "held");

    await call("DELETE", "/projects/qdel-held/queues/q");

    const row = await taskRow("qdel-held", "held");
    const events = await eventsOf(row.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: "deleted", ended_by: "admin-token" });
    expect(events[0]?.ended_at).not.toBeNull();
  });

  it("answers 404 to a second delete", async () => {
    await makeProject("qdel-twice", ["q"]);
    await call("DELETE", "/projects/qdel-twice/queues/q");

    const res = await call("DELETE", "/projects/qdel-twice/queues/q");

    expect(res.status).toBe(404);
  });

  it("answers 404 for an unknown queue", async () => {
    await makeProject("qdel-unknown");

    const res = await call("DELETE", "/projects/qdel-unknown/queues/ghost");

    expect(res.status).toBe(404);
  });

  it("refuses new tasks in the deleted queue", async () => {
    await makeProject("qdel-after", ["q"]);
    await call("DELETE", "/projects/qdel-after/queues/q");

    const res = await call("POST", "/projects/qdel-after/queues/q/tasks", {
      body: { task_id: "t", name: "t", prompt: "p" },
    });

    expect(res.status).toBe(404);
  });
});

describe("DELETE /projects/{projectId}", () => {
  it("soft-deletes the project with its queues and tasks, answering the counts", async () => {
    await makeProject("pdel", ["a", "b"]);
    await makeTask("pdel", "top");
    await makeTask("pdel", "in-a", { queueId: "a" });

    const res = await call("DELETE", "/projects/pdel");

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      project_id: "pdel",
      deleted_queues_count: 2,
      deleted_tasks_count: 2,
    });
    const queues = await env.DB.prepare(
      "SELECT count(*) AS n FROM queues WHERE project_id = 'pdel' AND deleted_at IS NULL",
    ).first<{ n: number }>();
    expect(queues?.n).toBe(0);
    expect((await taskRow("pdel", "in-a")).deleted_by).toBe("server");
  });

  it("closes open claims with outcome deleted and never deletes pull events", async () => {
    await makeProject("pdel-held", ["q"]);
    await makeTask("pdel-held", "held", { queueId: "q" });
    await holdClaim("pdel-held", "held");

    await call("DELETE", "/projects/pdel-held");

    const events = await eventsOf((await taskRow("pdel-held", "held")).id);
    expect(events.map((e) => e.outcome)).toEqual(["deleted"]);
  });

  it("answers 404 to a second delete", async () => {
    await makeProject("pdel-twice");
    await call("DELETE", "/projects/pdel-twice");

    const res = await call("DELETE", "/projects/pdel-twice");

    expect(res.status).toBe(404);
  });

  it("makes queue creation in the deleted project answer 404", async () => {
    await makeProject("pdel-after");
    await call("DELETE", "/projects/pdel-after");

    const res = await call("PUT", "/projects/pdel-after/queues/q", { body: { name: "Q" } });

    expect(res.status).toBe(404);
  });
});
