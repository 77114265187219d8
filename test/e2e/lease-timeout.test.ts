import { beforeAll, describe, expect, it } from "vitest";
import { api, createKey, createOperator, expectStatus, sleep } from "./client";

// The server runs with MIN_LEASE_SECONDS=1 (global-setup.ts), so a lease can expire within the
// test; the cron is then triggered by hand through wrangler's /__scheduled.

const project = "timeout-project";
const base = `/api/v1/projects/${project}`;

describe("a lease nobody finishes", () => {
  let worker: string;

  beforeAll(async () => {
    const operator = await createOperator("timeout-operator");
    await operator.putProject(project, "Timeouts");
    await operator.createTask(project, null, { task_id: "slow-1", name: "Slow", prompt: "" });
    worker = await createKey("client", "forgetful-worker");
  });

  it("rejects lease_seconds below MIN_LEASE_SECONDS with 400 naming it", async () => {
    const reply = await api("GET", `${base}/tasks/pull?lease_seconds=0`, { key: worker });

    expectStatus(reply, 400);
    expect(JSON.stringify(reply.body.error.details)).toContain("lease_seconds");
  });

  it("grants a lease of exactly lease_seconds", async () => {
    const reply = await api("GET", `${base}/tasks/pull?lease_seconds=1`, { key: worker });

    expectStatus(reply, 200);
    const { tasks, lease_expires_at } = reply.body.data;
    expect(tasks.map((t: any) => t.task_id)).toEqual(["slow-1"]);
    expect(Date.parse(lease_expires_at) - Date.parse(tasks[0].pulled_at)).toBe(1_000);

    // Let the lease run out before the next test triggers the cron.
    await sleep(Math.max(0, Date.parse(lease_expires_at) - Date.now()) + 1_100);
  });

  it("is closed by the cron, triggered through /__scheduled", async () => {
    const cron = await api("GET", "/__scheduled?cron=*+*+*+*+*");
    expectStatus(cron, 200);

    const reply = await api("GET", `${base}/tasks/slow-1/pull/history`, { key: worker });

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({
      task_id: "slow-1",
      current_pull: null,
      total_pulls: 1,
    });
    expect(reply.body.data.pull_history[0]).toMatchObject({
      pulled_by: "forgetful-worker",
      released_by: "system:timeout",
      outcome: "timeout",
    });
  });

  it("clears the pull state of the timed-out task", async () => {
    const reply = await api("GET", `${base}/tasks/slow-1`, { key: worker });

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({
      pulled_at: null,
      lease_id: null,
      lease_expires_at: null,
    });
  });

  it("counts the timeout in the stats", async () => {
    const reply = await api("GET", `${base}/tasks/pull/stats`, { key: worker });

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({ timed_out: 1, not_pulled: 1, pulled: 0 });
  });

  it("hands the timed-out task out again", async () => {
    const reply = await api("GET", `${base}/tasks/pull`, { key: worker });

    expectStatus(reply, 200);
    expect(reply.body.data.tasks.map((t: any) => t.task_id)).toEqual(["slow-1"]);
    expect(reply.body.data.tasks[0].pull_count).toBe(2);
  });
});
