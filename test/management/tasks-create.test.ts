import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers";
import { eventsOf, fieldsOf, holdClaim, makeProject, makeTask, taskRow } from "./fixtures";

const P = "create-p";
const post = (body: unknown, queueId?: string) =>
  call("POST", queueId ? `/projects/${P}/queues/${queueId}/tasks` : `/projects/${P}/tasks`, {
    body,
  });
const minimal = (taskId: string) => ({ task_id: taskId, name: taskId, prompt: "p" });

beforeAll(() => makeProject(P, ["q1", "q2"]));

describe("POST /projects/{projectId}/tasks", () => {
  it("creates a project-level server task and answers 201 with it", async () => {
    const res = await post({
      task_id: "full",
      name: "Full task",
      prompt: "Do it",
      status: "running",
      spec_file: ["a.md", "b.md"],
      report: "r.md",
      tags: ["docs", "urgent"],
      priority: "high",
      expires_at: "2030-01-01T00:00:00Z",
    });

    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      task_id: "full",
      id: "full",
      project_id: P,
      queue_id: null,
      name: "Full task",
      prompt: "Do it",
      status: "running",
      spec_file: ["a.md", "b.md"],
      report: "r.md",
      tags: ["docs", "urgent"],
      priority: "high",
      source: "server",
      expires_at: "2030-01-01T00:00:00.000Z",
      pulled_at: null,
      lease_id: null,
      pushed_at: null,
      pull_count: 0,
    });
    expect(res.body.data.server_modified_at).toBe(res.body.data.created_at);
  });

  it("defaults status to pending, spec_file and tags to empty lists", async () => {
    const res = await post(minimal("defaults"));

    expect(res.body.data).toMatchObject({ status: "pending", spec_file: [], tags: [] });
    expect(res.body.data.priority).toBeNull();
  });

  it("accepts taskId as the id field", async () => {
    const res = await post({ taskId: "camel", name: "c", prompt: "p" });

    expect(res.status).toBe(201);
    expect(res.body.data.task_id).toBe("camel");
  });

  it("accepts a single spec_file string as a one-item list", async () => {
    const res = await post({ ...minimal("one-spec"), spec_file: "spec.md" });

    expect(res.body.data.spec_file).toEqual(["spec.md"]);
  });

  it("stores the priority rank: high 10, medium 5, low 1, a number itself", async () => {
    await post({ ...minimal("rank-high"), priority: "high" });
    await post({ ...minimal("rank-low"), priority: "low" });
    await post({ ...minimal("rank-7"), priority: 7 });

    expect((await taskRow(P, "rank-high")).priority_rank).toBe(10);
    expect((await taskRow(P, "rank-low")).priority_rank).toBe(1);
    expect((await taskRow(P, "rank-7")).priority_rank).toBe(7);
  });

  it("accepts an expires_at in the past", async () => {
    const res = await post({ ...minimal("already-expired"), expires_at: "2020-01-01T00:00:00Z" });

    expect(res.status).toBe(201);
    expect(res.body.data.expires_at).toBe("2020-01-01T00:00:00.000Z");
  });

  it("answers 404 when the project does not exist", async () => {
    const res = await call("POST", "/projects/ghost/tasks", { body: minimal("t") });

    expect(res.status).toBe(404);
  });
});

describe("POST /projects/{projectId}/queues/{queueId}/tasks", () => {
  it("creates a server task in the queue", async () => {
    const res = await post(minimal("queued"), "q1");

    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ queue_id: "q1", source: "server" });
  });

  it("answers 404 when the queue does not exist", async () => {
    const res = await post(minimal("lost"), "ghost-queue");

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });
});

describe("task creation conflicts", () => {
  it("answers 409 DUPLICATE_KEY when a live task has the id, even in another queue", async () => {
    await post(minimal("taken"), "q1");

    const res = await post(minimal("taken"), "q2");

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("DUPLICATE_KEY");
  });

  it("answers 409 when a project-level task has the id", async () => {
    await post(minimal("taken-top"));

    const res = await post(minimal("taken-top"), "q1");

    expect(res.status).toBe(409);
  });

  it("replaces a soft-deleted task in place, keeping its row and pull history", async () => {
    await makeTask(P, "reborn", { queueId: "q1", body: { status: "error", tags: ["old"] } });
    await holdClaim(P, "reborn");
    const before = await taskRow(P, "reborn");
    await call("DELETE", `/projects/${P}/tasks/reborn`);

    const res = await post({ ...minimal("reborn"), prompt: "fresh" }, "q2");

    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      queue_id: "q2",
      prompt: "fresh",
      status: "pending",
      tags: [],
      deleted_at: null,
      pulled_at: null,
      pulled_by: null,
      lease_id: null,
      pushed_at: null,
    });
    const after = await taskRow(P, "reborn");
    expect(after.id).toBe(before.id);
    expect(after.deleted_by).toBeNull();
    expect((await eventsOf(after.id)).map((e) => e.outcome)).toEqual(["deleted"]);
  });
});

describe("task creation validation", () => {
  it("rejects a body without task_id or taskId, naming task_id", async () => {
    const res = await post({ name: "n", prompt: "p" });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["task_id"]);
  });

  it("rejects taskId and task_id that differ", async () => {
    const res = await post({ taskId: "a", task_id: "b", name: "n", prompt: "p" });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["task_id"]);
  });

  it("rejects a reserved task id", async () => {
    const res = await post(minimal("release"));

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["task_id"]);
  });

  it("rejects a task id with a slash", async () => {
    const res = await post(minimal("a/b"));

    expect(fieldsOf(res.body)).toEqual(["task_id"]);
  });

  it("rejects a missing name and prompt, naming both", async () => {
    const res = await post({ task_id: "t" });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body).sort()).toEqual(["name", "prompt"]);
  });

  it("rejects a prompt over 100000 characters", async () => {
    const res = await post({ ...minimal("long"), prompt: "x".repeat(100_001) });

    expect(fieldsOf(res.body)).toEqual(["prompt"]);
  });

  it("rejects an unknown status", async () => {
    const res = await post({ ...minimal("bad-status"), status: "finished" });

    expect(fieldsOf(res.body)).toEqual(["status"]);
  });

  it("rejects a priority above 10", async () => {
    const res = await post({ ...minimal("bad-priority"), priority: 11 });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toContain("priority");
  });

  it("rejects a priority of true rather than reading it as 1", async () => {
    const res = await post({ ...minimal("true-priority"), priority: true });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["priority"]);
  });

  it("rejects a priority in a list rather than reading [7] as 7", async () => {
    const res = await post({ ...minimal("list-priority"), priority: [7] });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["priority"]);
  });

  it("rejects a tag that is not a string, naming its index", async () => {
    const res = await post({ ...minimal("bad-tags"), tags: ["ok", 5] });

    expect(fieldsOf(res.body)).toEqual(["tags[1]"]);
  });

  it("rejects an expires_at that is not an ISO date", async () => {
    const res = await post({ ...minimal("bad-date"), expires_at: "tomorrow" });

    expect(fieldsOf(res.body)).toEqual(["expires_at"]);
  });

  it("rejects an unknown field", async () => {
    const res = await post({ ...minimal("extra"), queue_id: "q1" });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("queue_id");
  });

  it("writes nothing when the body is invalid", async () => {
    await post({ ...minimal("never"), status: "nope" });

    const res = await post(minimal("never"));

    expect(res.status).toBe(201);
  });
});
