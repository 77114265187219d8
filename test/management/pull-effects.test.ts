import { beforeAll, describe, expect, it } from "vitest";
import { call, createKey } from "../helpers";
import { eventsOf, makeProject, makeTask, taskRow } from "./fixtures";

let clientKey: string;

beforeAll(async () => {
  clientKey = (await createKey("client")).key;
});

/** A pull as a worker sends it: client key, its own X-Client-Id. */
async function pull(projectId: string, worker: string, queueId?: string) {
  const path = queueId
    ? `/projects/${projectId}/queues/${queueId}/tasks/pull`
    : `/projects/${projectId}/tasks/pull`;
  const res = await call("GET", path, { key: clientKey, headers: { "X-Client-Id": worker } });
  expect(res.status).toBe(200);
  return res.body.data as { tasks: { task_id: string }[]; lease_id: string | null };
}

const pulledIds = (data: { tasks: { task_id: string }[] }) => data.tasks.map((t) => t.task_id);

describe("editing a pulled task", () => {
  it("ends the first claim as edited and lets another client pull the new version", async () => {
    await makeProject("fx-edit");
    await makeTask("fx-edit", "t1");
    const first = await pull("fx-edit", "worker-a");

    await call("PUT", "/projects/fx-edit/tasks/t1", { body: { prompt: "version 2" } });
    const second = await pull("fx-edit", "worker-b");

    expect(pulledIds(first)).toEqual(["t1"]);
    expect(second.tasks).toMatchObject([{ task_id: "t1", prompt: "version 2" }]);
    const events = await eventsOf((await taskRow("fx-edit", "t1")).id);
    expect(events.map((e) => [e.pulled_by, e.outcome])).toEqual([
      ["worker-a", "edited"],
      ["worker-b", null],
    ]);
  });
});

describe("queue reset after a submit", () => {
  it("makes a pushed task pullable again", async () => {
    await makeProject("fx-reset", ["q"]);
    await makeTask("fx-reset", "t1", { queueId: "q" });
    const first = await pull("fx-reset", "worker-a", "q");
    const submit = await call("POST", "/submit", {
      key: clientKey,
      headers: { "X-Client-Id": "worker-a" },
      body: {
        project_id: "fx-reset",
        project_name: "fx-reset",
        queue_id: "q",
        queue_name: "q",
        tasks: [{ id: "t1", name: "t1", prompt: "p", status: "done", lease_id: first.lease_id }],
      },
    });
    expect(submit.status).toBe(200);
    const afterSubmit = await pull("fx-reset", "worker-b", "q");

    await call("POST", "/projects/fx-reset/queues/q/reset");
    const afterReset = await pull("fx-reset", "worker-b", "q");

    expect(afterSubmit.tasks).toEqual([]);
    expect(afterReset.tasks).toMatchObject([{ task_id: "t1", status: "pending" }]);
    const events = await eventsOf((await taskRow("fx-reset", "t1")).id);
    expect(events.map((e) => e.outcome)).toEqual(["submitted", null]);
  });

  it("reset-error makes a task submitted as error pullable again", async () => {
    await makeProject("fx-reset-error", ["q"]);
    await makeTask("fx-reset-error", "t1", { queueId: "q" });
    const first = await pull("fx-reset-error", "worker-a", "q");
    await call("POST", "/submit", {
      key: clientKey,
      body: {
        project_id: "fx-reset-error",
        project_name: "fx",
        queue_id: "q",
        queue_name: "q",
        tasks: [{ id: "t1", name: "t1", prompt: "p", status: "error", lease_id: first.lease_id }],
      },
    });

    await call("POST", "/projects/fx-reset-error/queues/q/reset-error");
    const again = await pull("fx-reset-error", "worker-b", "q");

    expect(pulledIds(again)).toEqual(["t1"]);
  });

  it("task re-run makes one pushed task pullable again", async () => {
    await makeProject("fx-rerun", ["q"]);
    await makeTask("fx-rerun", "t1", { queueId: "q" });
    const first = await pull("fx-rerun", "worker-a", "q");
    await call("POST", "/submit", {
      key: clientKey,
      body: {
        project_id: "fx-rerun",
        project_name: "fx",
        queue_id: "q",
        queue_name: "q",
        tasks: [{ id: "t1", name: "t1", prompt: "p", status: "done", lease_id: first.lease_id }],
      },
    });

    await call("POST", "/projects/fx-rerun/queues/q/tasks/t1/re-run");
    const again = await pull("fx-rerun", "worker-b", "q");

    expect(pulledIds(again)).toEqual(["t1"]);
  });
});

describe("moving a pulled task", () => {
  it("keeps the lease: nobody else can pull it from the new queue", async () => {
    await makeProject("fx-move", ["q1", "q2"]);
    await makeTask("fx-move", "t1", { queueId: "q1" });
    const first = await pull("fx-move", "worker-a", "q1");

    const moved = await call("POST", "/projects/fx-move/tasks/t1/move", {
      body: { queue_id: "q2" },
    });
    const other = await pull("fx-move", "worker-b", "q2");

    expect(moved.body.data.lease_id).toBe(first.lease_id);
    expect(other.tasks).toEqual([]);
    const events = await eventsOf((await taskRow("fx-move", "t1")).id);
    expect(events).toHaveLength(1);
    expect(events[0]?.ended_at).toBeNull();
  });

  it("lets the holder release the moved task with its lease id", async () => {
    await makeProject("fx-move-release", ["q1", "q2"]);
    await makeTask("fx-move-release", "t1", { queueId: "q1" });
    const first = await pull("fx-move-release", "worker-a", "q1");
    await call("POST", "/projects/fx-move-release/tasks/t1/move", { body: { queue_id: "q2" } });

    const release = await call("POST", "/projects/fx-move-release/tasks/t1/pull/release", {
      key: clientKey,
      body: { lease_id: first.lease_id },
    });
    const again = await pull("fx-move-release", "worker-b", "q2");

    expect(release.body.data.released).toBe(true);
    expect(pulledIds(again)).toEqual(["t1"]);
  });
});

describe("deleting a task", () => {
  it("hides it from pulls", async () => {
    await makeProject("fx-delete");
    await makeTask("fx-delete", "t1");
    await makeTask("fx-delete", "t2");

    await call("DELETE", "/projects/fx-delete/tasks/t1");
    const res = await pull("fx-delete", "worker-a");

    expect(pulledIds(res)).toEqual(["t2"]);
  });

  it("keeps the pull history of a deleted held task, closed as deleted", async () => {
    await makeProject("fx-delete-held");
    await makeTask("fx-delete-held", "t1");
    await pull("fx-delete-held", "worker-a");

    await call("DELETE", "/projects/fx-delete-held/tasks/t1");

    const events = await eventsOf((await taskRow("fx-delete-held", "t1")).id);
    expect(events.map((e) => [e.pulled_by, e.outcome])).toEqual([["worker-a", "deleted"]]);
  });

  it("recreating the id gives a pullable task that carries the old history", async () => {
    await makeProject("fx-recreate");
    await makeTask("fx-recreate", "t1");
    await pull("fx-recreate", "worker-a");
    await call("DELETE", "/projects/fx-recreate/tasks/t1");

    await makeTask("fx-recreate", "t1");
    const again = await pull("fx-recreate", "worker-b");

    expect(pulledIds(again)).toEqual(["t1"]);
    const events = await eventsOf((await taskRow("fx-recreate", "t1")).id);
    expect(events.map((e) => [e.pulled_by, e.outcome])).toEqual([
      ["worker-a", "deleted"],
      ["worker-b", null],
    ]);
  });

  it("a deleted queue's tasks are no longer pullable across the project", async () => {
    await makeProject("fx-delete-queue", ["q"]);
    await makeTask("fx-delete-queue", "t1", { queueId: "q" });

    await call("DELETE", "/projects/fx-delete-queue/queues/q");
    const res = await call("GET", "/projects/fx-delete-queue/tasks/pull?scope=all", {
      key: clientKey,
    });

    expect(res.body.data.tasks).toEqual([]);
  });
});

describe("creating tasks", () => {
  it("a new server task is pullable at once", async () => {
    await makeProject("fx-create");
    await makeTask("fx-create", "t1");

    const res = await pull("fx-create", "worker-a");

    expect(pulledIds(res)).toEqual(["t1"]);
  });

  it("a task created with a past expires_at is never pulled", async () => {
    await makeProject("fx-expired");
    await makeTask("fx-expired", "t1", { body: { expires_at: "2020-01-01T00:00:00Z" } });

    const res = await pull("fx-expired", "worker-a");

    expect(res.tasks).toEqual([]);
  });

  it("higher priority set by an edit is pulled first", async () => {
    await makeProject("fx-priority");
    await makeTask("fx-priority", "first");
    await makeTask("fx-priority", "second");

    await call("PUT", "/projects/fx-priority/tasks/second", { body: { priority: "high" } });
    const res = await call("GET", "/projects/fx-priority/tasks/pull?limit=1", { key: clientKey });

    expect(res.body.data.tasks.map((t: { task_id: string }) => t.task_id)).toEqual(["second"]);
  });
});
