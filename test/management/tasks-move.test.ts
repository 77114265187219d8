import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers";
import { eventsOf, fieldsOf, holdClaim, makeProject, makeTask, taskRow } from "./fixtures";

const P = "move-p";
const move = (taskId: string, body: unknown) =>
  call("POST", `/projects/${P}/tasks/${taskId}/move`, { body });

beforeAll(() => makeProject(P, ["q1", "q2"]));

describe("POST /projects/{projectId}/tasks/{taskId}/move", () => {
  it("moves a project-level task into a queue", async () => {
    await makeTask(P, "up");

    const res = await move("up", { queue_id: "q1" });

    expect(res.status).toBe(200);
    expect(res.body.data.queue_id).toBe("q1");
    expect((await taskRow(P, "up")).queue_id).toBe("q1");
  });

  it("moves a queue task to another queue", async () => {
    await makeTask(P, "across", { queueId: "q1" });

    const res = await move("across", { queue_id: "q2" });

    expect(res.body.data.queue_id).toBe("q2");
  });

  it("moves a queue task to project level with queue_id null", async () => {
    await makeTask(P, "down", { queueId: "q1" });

    const res = await move("down", { queue_id: null });

    expect(res.status).toBe(200);
    expect(res.body.data.queue_id).toBeNull();
  });

  it("accepts queueId as the field name", async () => {
    await makeTask(P, "camel");

    const res = await move("camel", { queueId: "q2" });

    expect(res.body.data.queue_id).toBe("q2");
  });

  it("keeps a held task's lease and leaves its pull event open", async () => {
    await makeTask(P, "held", { queueId: "q1" });
    const leaseId = await holdClaim(P, "held", { by: "worker-m" });

    const res = await move("held", { queue_id: "q2" });

    expect(res.body.data).toMatchObject({ lease_id: leaseId, pulled_by: "worker-m" });
    const events = await eventsOf((await taskRow(P, "held")).id);
    expect(events).toHaveLength(1);
    expect(events[0]?.ended_at).toBeNull();
  });

  it("rejects a move into the queue the task is already in, naming queue_id", async () => {
    await makeTask(P, "stay", { queueId: "q1" });

    const res = await move("stay", { queue_id: "q1" });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["queue_id"]);
  });

  it("rejects a move of a project-level task to project level", async () => {
    await makeTask(P, "stay-top");

    const res = await move("stay-top", { queue_id: null });

    expect(res.status).toBe(400);
  });

  it("answers 404 when the target queue does not exist", async () => {
    await makeTask(P, "nowhere");

    const res = await move("nowhere", { queue_id: "ghost" });

    expect(res.status).toBe(404);
    expect((await taskRow(P, "nowhere")).queue_id).toBeNull();
  });

  it("answers 404 when the target queue was deleted", async () => {
    await call("PUT", `/projects/${P}/queues/doomed`, { body: { name: "d" } });
    await call("DELETE", `/projects/${P}/queues/doomed`);
    await makeTask(P, "to-doomed");

    const res = await move("to-doomed", { queue_id: "doomed" });

    expect(res.status).toBe(404);
  });

  it("answers 404 for an unknown task", async () => {
    const res = await move("ghost", { queue_id: "q1" });

    expect(res.status).toBe(404);
  });

  it("rejects a body without queue_id, naming queue_id", async () => {
    await makeTask(P, "no-target");

    const res = await move("no-target", {});

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["queue_id"]);
  });

  it("rejects queue_id and queueId that differ", async () => {
    const res = await move("no-target", { queue_id: "q1", queueId: "q2" });

    expect(fieldsOf(res.body)).toEqual(["queue_id"]);
  });

  it("rejects a queue_id that is not a string or null", async () => {
    const res = await move("no-target", { queue_id: 5 });

    expect(fieldsOf(res.body)).toEqual(["queue_id"]);
  });
});
