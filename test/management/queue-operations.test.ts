import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, seedTasks } from "../helpers";
import { eventsOf, holdClaim, makeProject, makeTask, markPushed, taskRow } from "./fixtures";

const op = (projectId: string, path: string) => call("POST", `/projects/${projectId}/${path}`);

async function queueRow(projectId: string, queueId: string) {
  return env.DB.prepare("SELECT * FROM queues WHERE project_id = ? AND queue_id = ?")
    .bind(projectId, queueId)
    .first<{ last_reset_at: number | null; last_operation: string | null }>();
}

/** A queue with a waiting, a done-and-pushed, a held error and a deleted task. */
async function mixedQueue(projectId: string) {
  await makeProject(projectId, ["q", "other"]);
  await makeTask(projectId, "waiting", { queueId: "q" });
  await makeTask(projectId, "pushed", { queueId: "q" });
  await holdClaim(projectId, "pushed");
  await markPushed(projectId, "pushed");
  await makeTask(projectId, "held-error", { queueId: "q", body: { status: "error" } });
  await holdClaim(projectId, "held-error");
  await makeTask(projectId, "deleted", { queueId: "q", body: { status: "error" } });
  await call("DELETE", `/projects/${projectId}/tasks/deleted`);
  await makeTask(projectId, "elsewhere", { queueId: "other", body: { status: "error" } });
}

describe("POST /projects/{projectId}/queues/{queueId}/reset", () => {
  it("answers exactly {queue_id, reset_tasks_count, reset_at}, counting live tasks", async () => {
    await mixedQueue("reset-p");

    const res = await op("reset-p", "queues/q/reset");

    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data).sort()).toEqual([
      "queue_id",
      "reset_at",
      "reset_tasks_count",
    ]);
    expect(res.body.data).toMatchObject({ queue_id: "q", reset_tasks_count: 3 });
  });

  it("sets every live task to pending with a clean pull state, pushed_at included", async () => {
    await mixedQueue("reset-state");

    await op("reset-state", "queues/q/reset");

    for (const taskId of ["waiting", "pushed", "held-error"]) {
      const row = await taskRow("reset-state", taskId);
      expect(row).toMatchObject({ status: "pending", pulled_at: null, lease_id: null });
      expect(row.pushed_at).toBeNull();
    }
  });

  it("closes open claims with outcome reset and leaves closed ones alone", async () => {
    await mixedQueue("reset-events");

    await op("reset-events", "queues/q/reset");

    const held = await eventsOf((await taskRow("reset-events", "held-error")).id);
    const pushed = await eventsOf((await taskRow("reset-events", "pushed")).id);
    expect(held.map((e) => e.outcome)).toEqual(["reset"]);
    expect(pushed.map((e) => e.outcome)).toEqual(["submitted"]);
  });

  it("leaves deleted tasks and other queues untouched", async () => {
    await mixedQueue("reset-scope");

    await op("reset-scope", "queues/q/reset");

    expect((await taskRow("reset-scope", "deleted")).status).toBe("error");
    expect((await taskRow("reset-scope", "elsewhere")).status).toBe("error");
  });

  it("records last_reset_at and last_operation reset on the queue", async () => {
    await makeProject("reset-stamp", ["q"]);

    const res = await op("reset-stamp", "queues/q/reset");

    const queue = await queueRow("reset-stamp", "q");
    expect(queue?.last_operation).toBe("reset");
    expect(new Date(queue?.last_reset_at ?? 0).toISOString()).toBe(res.body.data.reset_at);
  });

  it("answers 0 for an empty queue", async () => {
    await makeProject("reset-empty", ["q"]);

    const res = await op("reset-empty", "queues/q/reset");

    expect(res.body.data.reset_tasks_count).toBe(0);
  });

  it("resets a queue of 1500 tasks in one request", async () => {
    await makeProject("reset-big", ["q"]);
    await seedTasks(
      Array.from({ length: 1500 }, (_, i) => ({
        projectId: "reset-big",
        queueId: "q",
        taskId: `t${i}`,
        status: "done",
      })),
    );

    const res = await op("reset-big", "queues/q/reset");

    expect(res.body.data.reset_tasks_count).toBe(1500);
  });

  it("answers 404 for an unknown queue", async () => {
    await makeProject("reset-404");

    const res = await op("reset-404", "queues/ghost/reset");

    expect(res.status).toBe(404);
  });

  it("answers 404 for an unknown project", async () => {
    const res = await op("ghost-project", "queues/q/reset");

    expect(res.status).toBe(404);
  });
});

describe("POST /projects/{projectId}/queues/{queueId}/reset-error", () => {
  it("resets only the error tasks and counts them", async () => {
    await mixedQueue("rerr");

    const res = await op("rerr", "queues/q/reset-error");

    expect(Object.keys(res.body.data).sort()).toEqual([
      "queue_id",
      "reset_at",
      "reset_tasks_count",
    ]);
    expect(res.body.data.reset_tasks_count).toBe(1);
    expect(await taskRow("rerr", "held-error")).toMatchObject({
      status: "pending",
      lease_id: null,
    });
  });

  it("leaves a pushed done task pushed", async () => {
    await mixedQueue("rerr-pushed");

    await op("rerr-pushed", "queues/q/reset-error");

    const pushed = await taskRow("rerr-pushed", "pushed");
    expect(pushed.status).toBe("done");
    expect(pushed.pushed_at).not.toBeNull();
  });

  it("records last_operation reset-error on the queue", async () => {
    await makeProject("rerr-stamp", ["q"]);

    await op("rerr-stamp", "queues/q/reset-error");

    expect((await queueRow("rerr-stamp", "q"))?.last_operation).toBe("reset-error");
  });
});

describe("POST /projects/{projectId}/queues/{queueId}/re-run", () => {
  it("answers exactly {queue_id, rerun_tasks_count, rerun_at}", async () => {
    await mixedQueue("rerun");

    const res = await op("rerun", "queues/q/re-run");

    expect(Object.keys(res.body.data).sort()).toEqual([
      "queue_id",
      "rerun_at",
      "rerun_tasks_count",
    ]);
    expect(res.body.data).toMatchObject({ queue_id: "q", rerun_tasks_count: 3 });
  });

  it("resets like reset, records re-run on the queue and reset on the events", async () => {
    await mixedQueue("rerun-stamp");

    await op("rerun-stamp", "queues/q/re-run");

    expect((await queueRow("rerun-stamp", "q"))?.last_operation).toBe("re-run");
    const row = await taskRow("rerun-stamp", "held-error");
    expect(row.status).toBe("pending");
    expect((await eventsOf(row.id)).map((e) => e.outcome)).toEqual(["reset"]);
  });
});

describe("POST /projects/{projectId}/queues/{queueId}/tasks/{taskId}/re-run", () => {
  it("answers exactly {task_id, rerun_at} and resets only that task", async () => {
    await mixedQueue("trerun");

    const res = await op("trerun", "queues/q/tasks/pushed/re-run");

    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data).sort()).toEqual(["rerun_at", "task_id"]);
    expect(res.body.data.task_id).toBe("pushed");
    expect(await taskRow("trerun", "pushed")).toMatchObject({ status: "pending", pushed_at: null });
    expect((await taskRow("trerun", "held-error")).lease_id).not.toBeNull();
  });

  it("closes the task's open claim with outcome reset", async () => {
    await mixedQueue("trerun-held");

    await op("trerun-held", "queues/q/tasks/held-error/re-run");

    const row = await taskRow("trerun-held", "held-error");
    expect((await eventsOf(row.id)).map((e) => e.outcome)).toEqual(["reset"]);
  });

  it("records last_operation re-run on the queue", async () => {
    await mixedQueue("trerun-stamp");

    await op("trerun-stamp", "queues/q/tasks/waiting/re-run");

    expect((await queueRow("trerun-stamp", "q"))?.last_operation).toBe("re-run");
  });

  it("answers 404 when the task is in another queue", async () => {
    await mixedQueue("trerun-other");

    const res = await op("trerun-other", "queues/q/tasks/elsewhere/re-run");

    expect(res.status).toBe(404);
  });

  it("answers 404 for a deleted task", async () => {
    await mixedQueue("trerun-deleted");

    const res = await op("trerun-deleted", "queues/q/tasks/deleted/re-run");

    expect(res.status).toBe(404);
  });
});
