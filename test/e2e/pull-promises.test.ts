import { beforeAll, describe, expect, it } from "vitest";
import { api, createKey, createOperator, expectStatus, idsOf } from "./client";

// The guide's promises about claims, between two clients over real HTTP. Each describe has its
// own project, so the order of files and the guide replay do not matter.

const pullPath = (projectId: string) => `/api/v1/projects/${projectId}/tasks/pull?limit=10`;
const releasePath = (projectId: string, taskId: string) =>
  `/api/v1/projects/${projectId}/tasks/${taskId}/pull/release`;

describe("a claim between two clients", () => {
  const project = "claims-project";
  let workerA: string;
  let workerB: string;
  let leaseOfB: string;

  beforeAll(async () => {
    const operator = await createOperator("claims-operator");
    await operator.putProject(project, "Claims");
    await operator.createTask(project, null, { task_id: "job-1", name: "Job 1", prompt: "work" });
    workerA = await createKey("client", "worker-a");
    workerB = await createKey("client", "worker-b");
  });

  it("hands a task to the first client that pulls it", async () => {
    const reply = await api("GET", pullPath(project), { key: workerA });

    expectStatus(reply, 200);
    expect(idsOf(reply.body.data.tasks)).toEqual(["job-1"]);
    expect(reply.body.data.tasks[0].pulled_by).toBe("worker-a");
  });

  it("does not hand the pulled task to another client", async () => {
    const reply = await api("GET", pullPath(project), { key: workerB });

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({ tasks: [], pulled_count: 0 });
  });

  it("reports a held task as ALREADY_PULLED in a batch pull by id", async () => {
    const reply = await api("POST", `/api/v1/projects/${project}/tasks/pull/batch`, {
      key: workerB,
      body: { taskIds: ["job-1"] },
    });

    expectStatus(reply, 200);
    expect(reply.body.data.tasks).toEqual([]);
    expect(reply.body.data.failed).toEqual([{ task_id: "job-1", reason: "ALREADY_PULLED" }]);
  });

  it("refuses a release without lease_id from a client that does not hold it", async () => {
    const reply = await api("POST", releasePath(project, "job-1"), { key: workerB, body: {} });

    expectStatus(reply, 403);
    expect(reply.body.error.code).toBe("FORBIDDEN");
  });

  it("lets another client pull the task once the holder releases it", async () => {
    const release = await api("POST", releasePath(project, "job-1"), { key: workerA, body: {} });
    expectStatus(release, 200);
    expect(release.body.data.released).toBe(true);

    const reply = await api("GET", pullPath(project), { key: workerB });

    expectStatus(reply, 200);
    expect(idsOf(reply.body.data.tasks)).toEqual(["job-1"]);
    expect(reply.body.data.tasks[0].pulled_by).toBe("worker-b");
    leaseOfB = reply.body.data.lease_id;
  });

  it("answers a repeated release with the same lease_id with released: false", async () => {
    const first = await api("POST", releasePath(project, "job-1"), {
      key: workerB,
      body: { lease_id: leaseOfB },
    });
    expectStatus(first, 200);
    expect(first.body.data.released).toBe(true);

    const again = await api("POST", releasePath(project, "job-1"), {
      key: workerB,
      body: { lease_id: leaseOfB },
    });

    expectStatus(again, 200);
    expect(again.body.data).toMatchObject({ task_id: "job-1", released: false });
  });

  it("records X-Client-Id as the puller when it is sent", async () => {
    const reply = await api("GET", pullPath(project), {
      key: workerA,
      headers: { "X-Client-Id": "agent-7" },
    });

    expectStatus(reply, 200);
    expect(reply.body.data.tasks[0].pulled_by).toBe("agent-7");
  });
});

describe("a submit after a pull", () => {
  const project = "stats-project";
  let worker: string;

  beforeAll(async () => {
    const operator = await createOperator("stats-operator");
    await operator.putProject(project, "Stats");
    await operator.putQueue(project, "results", "Results");
    for (const taskId of ["s-1", "s-2"]) {
      await operator.createTask(project, "results", { task_id: taskId, name: taskId, prompt: "" });
    }
    worker = await createKey("client", "stats-worker");
    const pull = await api("GET", `/api/v1/projects/${project}/queues/results/tasks/pull`, {
      key: worker,
    });
    expectStatus(pull, 200);
    expect(pull.body.data.pulled_count).toBe(2);
  });

  it("counts as a successful pull in the stats", async () => {
    const submit = await api("POST", "/api/v1/submit", {
      key: worker,
      body: {
        project_id: project,
        project_name: "Stats",
        queue_id: "results",
        queue_name: "Results",
        tasks: [
          { id: "s-1", name: "s-1", prompt: "", status: "done" },
          { id: "s-2", name: "s-2", prompt: "", status: "running" },
        ],
      },
    });
    expectStatus(submit, 200);

    const reply = await api("GET", `/api/v1/projects/${project}/tasks/pull/stats`, { key: worker });

    expectStatus(reply, 200);
    expect(reply.body.data).toMatchObject({
      total_server_tasks: 2,
      pulled_not_pushed: 0,
      pull_success_rate: 100,
    });
    expect(reply.body.data.average_pull_duration).toBeGreaterThanOrEqual(0);
  });

  it("does not make a pushed task pullable again", async () => {
    const reply = await api("GET", `/api/v1/projects/${project}/queues/results/tasks/pull`, {
      key: worker,
    });

    expectStatus(reply, 200);
    expect(reply.body.data.tasks).toEqual([]);
  });
});
