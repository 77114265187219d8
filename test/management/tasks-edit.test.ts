import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers";
import {
  eventsOf,
  fieldsOf,
  holdClaim,
  makeProject,
  makeTask,
  markPushed,
  taskRow,
} from "./fixtures";

const P = "edit-p";
const put = (path: string, body: unknown) => call("PUT", `/projects/${P}${path}`, { body });

beforeAll(() => makeProject(P, ["q1", "q2"]));

describe("PUT /projects/{projectId}/tasks/{taskId}", () => {
  it("changes only the fields sent and answers 200 with the task", async () => {
    await makeTask(P, "partial", { body: { tags: ["keep"], priority: "low" } });

    const res = await put("/tasks/partial", { prompt: "new prompt", priority: 7 });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      prompt: "new prompt",
      priority: 7,
      tags: ["keep"],
      name: "partial",
    });
    expect((await taskRow(P, "partial")).priority_rank).toBe(7);
  });

  it("bumps server_modified_at and updated_at", async () => {
    const created = await makeTask(P, "bump");
    await new Promise((resolve) => setTimeout(resolve, 5));

    const res = await put("/tasks/bump", { name: "bumped" });

    expect(res.body.data.server_modified_at > created.server_modified_at).toBe(true);
    expect(res.body.data.updated_at > created.updated_at).toBe(true);
  });

  it("clears priority, report and expires_at when they are sent as null", async () => {
    await makeTask(P, "clear", {
      body: { priority: "high", report: "r.md", expires_at: "2030-01-01T00:00:00Z" },
    });

    const res = await put("/tasks/clear", { priority: null, report: null, expires_at: null });

    expect(res.body.data).toMatchObject({ priority: null, report: null, expires_at: null });
    expect((await taskRow(P, "clear")).priority_rank).toBe(0);
  });

  it("edits a queue task through the project-level path", async () => {
    await makeTask(P, "in-queue", { queueId: "q1" });

    const res = await put("/tasks/in-queue", { status: "done" });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: "done", queue_id: "q1" });
  });

  it("ends a held task's claim with outcome edited and makes it pullable again", async () => {
    await makeTask(P, "held");
    await holdClaim(P, "held", { by: "worker-a" });

    const res = await put("/tasks/held", { prompt: "changed while held" });

    expect(res.body.data).toMatchObject({ pulled_at: null, lease_id: null, pushed_at: null });
    const row = await taskRow(P, "held");
    expect(row.lease_expires_at).toBeNull();
    const events = await eventsOf(row.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: "edited", ended_by: "admin-token" });
  });

  it("records the X-Client-Id of the editor as who ended the claim", async () => {
    await makeTask(P, "held-by-id");
    await holdClaim(P, "held-by-id");

    await call("PUT", `/projects/${P}/tasks/held-by-id`, {
      body: { name: "x" },
      headers: { "X-Client-Id": "ops-console" },
    });

    const events = await eventsOf((await taskRow(P, "held-by-id")).id);
    expect(events[0]?.ended_by).toBe("ops-console");
  });

  it("closes a claim whose lease had already run out as timeout, not edited", async () => {
    await makeTask(P, "lapsed");
    await holdClaim(P, "lapsed", { expiresInMs: -1000 });

    await put("/tasks/lapsed", { name: "x" });

    const events = await eventsOf((await taskRow(P, "lapsed")).id);
    expect(events[0]).toMatchObject({ outcome: "timeout", ended_by: "system:timeout" });
  });

  it("clears pushed_at of a pushed task so it is pullable again", async () => {
    await makeTask(P, "pushed");
    await holdClaim(P, "pushed");
    await markPushed(P, "pushed");

    const res = await put("/tasks/pushed", { status: "pending" });

    expect(res.body.data.pushed_at).toBeNull();
    expect(res.body.data.pulled_at).toBeNull();
    const events = await eventsOf((await taskRow(P, "pushed")).id);
    expect(events.map((e) => e.outcome)).toEqual(["submitted"]);
  });

  it("answers 404 for an unknown task", async () => {
    const res = await put("/tasks/ghost", { name: "x" });

    expect(res.status).toBe(404);
  });

  it("answers 404 for a deleted task", async () => {
    await makeTask(P, "gone");
    await call("DELETE", `/projects/${P}/tasks/gone`);

    const res = await put("/tasks/gone", { name: "x" });

    expect(res.status).toBe(404);
  });

  it("rejects an empty body, naming body", async () => {
    await makeTask(P, "empty-edit");

    const res = await put("/tasks/empty-edit", {});

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["body"]);
  });

  it("rejects an empty name", async () => {
    const res = await put("/tasks/partial", { name: "" });

    expect(fieldsOf(res.body)).toEqual(["name"]);
  });

  it("rejects an unknown status", async () => {
    const res = await put("/tasks/partial", { status: "paused" });

    expect(fieldsOf(res.body)).toEqual(["status"]);
  });

  it("rejects a spec_file list with a non-string, naming spec_file", async () => {
    const res = await put("/tasks/partial", { spec_file: ["a.md", 3] });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["spec_file"]);
  });

  it("rejects a change of task id or queue through an edit", async () => {
    const res = await put("/tasks/partial", { queue_id: "q2" });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("queue_id");
  });
});

describe("PUT /projects/{projectId}/queues/{queueId}/tasks/{taskId}", () => {
  it("edits a task of that queue", async () => {
    await makeTask(P, "q-edit", { queueId: "q1" });

    const res = await put("/queues/q1/tasks/q-edit", { name: "renamed" });

    expect(res.status).toBe(200);
    expect(res.body.data.name).toBe("renamed");
  });

  it("answers 404 when the task sits in another queue", async () => {
    await makeTask(P, "q-other", { queueId: "q1" });

    const res = await put("/queues/q2/tasks/q-other", { name: "x" });

    expect(res.status).toBe(404);
  });

  it("answers 404 when the task is project-level", async () => {
    await makeTask(P, "top-level");

    const res = await put("/queues/q1/tasks/top-level", { name: "x" });

    expect(res.status).toBe(404);
  });

  it("answers 404 when the queue does not exist", async () => {
    const res = await put("/queues/ghost/tasks/q-edit", { name: "x" });

    expect(res.status).toBe(404);
  });
});

describe("DELETE /projects/{projectId}/tasks/{taskId}", () => {
  it("soft-deletes the task as the server and answers with it", async () => {
    await makeTask(P, "del");

    const res = await call("DELETE", `/projects/${P}/tasks/del`);

    expect(res.status).toBe(200);
    expect(res.body.data.deleted_at).not.toBeNull();
    expect((await taskRow(P, "del")).deleted_by).toBe("server");
  });

  it("answers 404 to a second delete", async () => {
    await makeTask(P, "del-twice");
    await call("DELETE", `/projects/${P}/tasks/del-twice`);

    const res = await call("DELETE", `/projects/${P}/tasks/del-twice`);

    expect(res.status).toBe(404);
  });

  it("closes a held task's claim with outcome deleted and keeps the event", async () => {
    await makeTask(P, "del-held");
    await holdClaim(P, "del-held");

    await call("DELETE", `/projects/${P}/tasks/del-held`);

    const row = await taskRow(P, "del-held");
    expect(row.lease_id).toBeNull();
    expect((await eventsOf(row.id)).map((e) => e.outcome)).toEqual(["deleted"]);
  });

  it("deletes through the queue path when the task is in that queue", async () => {
    await makeTask(P, "del-q", { queueId: "q1" });

    const res = await call("DELETE", `/projects/${P}/queues/q1/tasks/del-q`);

    expect(res.status).toBe(200);
  });

  it("answers 404 through the queue path when the task is in another queue", async () => {
    await makeTask(P, "del-q-other", { queueId: "q1" });

    const res = await call("DELETE", `/projects/${P}/queues/q2/tasks/del-q-other`);

    expect(res.status).toBe(404);
    expect((await taskRow(P, "del-q-other")).deleted_at).toBeNull();
  });
});
