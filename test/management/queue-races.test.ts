import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { rerunQueueTask, resetQueueTasks } from "../../src/management/queue-resets";
import { call } from "../helpers";
import { makeProject, makeTask, taskRow } from "./fixtures";

// The routes look the queue and the task up, then write in one batch. These tests run the
// write step alone after a delete, as if the delete had landed between the lookup and the batch.

const db = () => createDb(env.DB);

async function queueRow(projectId: string, queueId: string) {
  return env.DB.prepare("SELECT * FROM queues WHERE project_id = ? AND queue_id = ?")
    .bind(projectId, queueId)
    .first<{ last_reset_at: number | null; last_operation: string | null; updated_at: number }>();
}

describe("a task re-run whose task was deleted after the lookup", () => {
  it("answers 404 and leaves the queue's last_reset_at and last_operation alone", async () => {
    await makeProject("race-rerun", ["q"]);
    await makeTask("race-rerun", "t", { queueId: "q" });
    await call("DELETE", "/projects/race-rerun/queues/q/tasks/t");
    const before = await queueRow("race-rerun", "q");

    const rerun = rerunQueueTask(
      db(),
      { projectId: "race-rerun", queueId: "q", taskId: "t" },
      "tester",
      Date.now() + 1000,
    );

    await expect(rerun).rejects.toMatchObject({ code: "RESOURCE_NOT_FOUND" });
    expect(await queueRow("race-rerun", "q")).toEqual(before);
  });

  it("leaves the deleted task as it was", async () => {
    await makeProject("race-rerun-task", ["q"]);
    await makeTask("race-rerun-task", "t", { queueId: "q", body: { status: "error" } });
    await call("DELETE", "/projects/race-rerun-task/queues/q/tasks/t");
    const before = await taskRow("race-rerun-task", "t");

    await rerunQueueTask(
      db(),
      { projectId: "race-rerun-task", queueId: "q", taskId: "t" },
      "tester",
      Date.now() + 1000,
    ).catch(() => undefined);

    expect(await taskRow("race-rerun-task", "t")).toEqual(before);
  });
});

describe("a queue reset whose queue was deleted after the lookup", () => {
  it("answers 404 and writes nothing", async () => {
    await makeProject("race-reset", ["q"]);
    await makeTask("race-reset", "t", { queueId: "q", body: { status: "error" } });
    await call("DELETE", "/projects/race-reset/queues/q");
    const [queueBefore, taskBefore] = [
      await queueRow("race-reset", "q"),
      await taskRow("race-reset", "t"),
    ];

    const reset = resetQueueTasks(
      db(),
      { projectId: "race-reset", queueId: "q" },
      "reset",
      "tester",
      Date.now() + 1000,
    );

    await expect(reset).rejects.toMatchObject({ code: "RESOURCE_NOT_FOUND" });
    expect(await queueRow("race-reset", "q")).toEqual(queueBefore);
    expect(await taskRow("race-reset", "t")).toEqual(taskBefore);
  });
});
