import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers";
import { makeProject, makeTask, roleKeys } from "./fixtures";

const P = "task-roles";
let keys: Awaited<ReturnType<typeof roleKeys>>;

beforeAll(async () => {
  keys = await roleKeys(P);
  await makeProject(P, ["q"]);
  await makeTask(P, "t", { queueId: "q" });
});

/** One request for every task-management and queue-operation route, sent with `key`. */
function everyRoute(key: string) {
  const task = { task_id: "new", name: "n", prompt: "p" };
  return [
    call("POST", `/projects/${P}/tasks`, { key, body: task }),
    call("POST", `/projects/${P}/queues/q/tasks`, { key, body: task }),
    call("PUT", `/projects/${P}/tasks/t`, { key, body: { name: "x" } }),
    call("PUT", `/projects/${P}/queues/q/tasks/t`, { key, body: { name: "x" } }),
    call("POST", `/projects/${P}/tasks/t/move`, { key, body: { queue_id: null } }),
    call("POST", `/projects/${P}/queues/q/reset`, { key }),
    call("POST", `/projects/${P}/queues/q/reset-error`, { key }),
    call("POST", `/projects/${P}/queues/q/re-run`, { key }),
    call("POST", `/projects/${P}/queues/q/tasks/t/re-run`, { key }),
    call("DELETE", `/projects/${P}/queues/q/tasks/t`, { key }),
    call("DELETE", `/projects/${P}/tasks/t`, { key }),
  ];
}

describe("task management and queue operation roles", () => {
  it("refuses a client key with 403 on every route", async () => {
    const responses = await Promise.all(everyRoute(keys.client));

    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 403));
    expect(responses.every((r) => r.body.error.code === "FORBIDDEN")).toBe(true);
  });

  it("refuses a manager key bound to another project with 403 on every route", async () => {
    const responses = await Promise.all(everyRoute(keys.otherManager));

    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 403));
  });

  it("lets a manager key create, edit and reset", async () => {
    const create = await call("POST", `/projects/${P}/tasks`, {
      key: keys.manager,
      body: { task_id: "by-manager", name: "n", prompt: "p" },
    });
    const edit = await call("PUT", `/projects/${P}/tasks/by-manager`, {
      key: keys.manager,
      body: { name: "m" },
    });
    const reset = await call("POST", `/projects/${P}/queues/q/reset`, { key: keys.manager });

    expect([create.status, edit.status, reset.status]).toEqual([201, 200, 200]);
  });

  it("lets a manager key bound to this project move and delete", async () => {
    await makeTask(P, "by-bound");
    const moved = await call("POST", `/projects/${P}/tasks/by-bound/move`, {
      key: keys.boundManager,
      body: { queue_id: "q" },
    });
    const deleted = await call("DELETE", `/projects/${P}/queues/q/tasks/by-bound`, {
      key: keys.boundManager,
    });

    expect([moved.status, deleted.status]).toEqual([200, 200]);
  });

  it("lets an admin key re-run a task", async () => {
    const res = await call("POST", `/projects/${P}/queues/q/tasks/t/re-run`);

    expect(res.status).toBe(200);
  });
});
