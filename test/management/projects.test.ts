import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers";
import { fieldsOf, makeProject, makeTask, roleKeys, taskRow } from "./fixtures";

describe("PUT /projects/{projectId}", () => {
  it("creates a project and answers 201 with it", async () => {
    const res = await call("PUT", "/projects/alpha", {
      body: { name: "Alpha", client_info: { host: "ci-1" }, git_info: { branch: "main" } },
    });

    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      project_id: "alpha",
      name: "Alpha",
      client_info: { host: "ci-1" },
      git_info: { branch: "main" },
    });
    expect(res.body.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT.*\.\d{3}Z$/);
  });

  it("renames a project with 200, keeping created_at and the info left out", async () => {
    const first = await call("PUT", "/projects/beta", {
      body: { name: "Beta", git_info: { branch: "main" } },
    });

    const res = await call("PUT", "/projects/beta", { body: { name: "Beta 2" } });

    expect(res.status).toBe(200);
    expect(res.body.data.name).toBe("Beta 2");
    expect(res.body.data.git_info).toEqual({ branch: "main" });
    expect(res.body.data.created_at).toBe(first.body.data.created_at);
  });

  it("clears client_info when it is sent as null", async () => {
    await call("PUT", "/projects/gamma", { body: { name: "G", client_info: { a: 1 } } });

    const res = await call("PUT", "/projects/gamma", { body: { name: "G", client_info: null } });

    expect(res.body.data.client_info).toBeNull();
  });

  it("revives a deleted project as a new one with 201 and its tasks still deleted", async () => {
    await makeProject("phoenix");
    await makeTask("phoenix", "old-task");
    await call("DELETE", "/projects/phoenix");

    const res = await call("PUT", "/projects/phoenix", { body: { name: "Phoenix" } });

    expect(res.status).toBe(201);
    expect((await taskRow("phoenix", "old-task")).deleted_at).not.toBeNull();
  });

  it("rejects a reserved project id with 400 naming projectId", async () => {
    const res = await call("PUT", "/projects/pull", { body: { name: "x" } });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(fieldsOf(res.body)).toEqual(["projectId"]);
  });

  it("rejects a project id longer than 255 characters", async () => {
    const res = await call("PUT", `/projects/${"p".repeat(256)}`, { body: { name: "x" } });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["projectId"]);
  });

  it("rejects an empty name", async () => {
    const res = await call("PUT", "/projects/delta", { body: { name: "" } });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["name"]);
  });

  it("rejects a missing name", async () => {
    const res = await call("PUT", "/projects/delta", { body: {} });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["name"]);
  });

  it("rejects a name over 1000 characters", async () => {
    const res = await call("PUT", "/projects/delta", { body: { name: "n".repeat(1001) } });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["name"]);
  });

  it("rejects git_info that is not an object", async () => {
    const res = await call("PUT", "/projects/delta", { body: { name: "D", git_info: "main" } });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["git_info"]);
  });

  it("rejects client_info over 64 KB", async () => {
    const res = await call("PUT", "/projects/delta", {
      body: { name: "D", client_info: { blob: "x".repeat(70_000) } },
    });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["client_info"]);
  });

  it("rejects an unknown body field", async () => {
    const res = await call("PUT", "/projects/delta", { body: { name: "D", title: "x" } });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("title");
  });

  it("rejects malformed JSON with 400", async () => {
    const res = await call("PUT", "/projects/delta", { body: "{name:" });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
  });
});

describe("PUT /projects/{projectId}/queues/{queueId}", () => {
  beforeAll(() => makeProject("queues-home"));

  it("creates a queue and answers 201 with it", async () => {
    const res = await call("PUT", "/projects/queues-home/queues/q1", {
      body: { name: "Queue 1", meta: { owner: "ops" } },
    });

    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      project_id: "queues-home",
      queue_id: "q1",
      name: "Queue 1",
      meta: { owner: "ops" },
      last_reset_at: null,
      last_operation: null,
    });
  });

  it("renames an existing queue and answers 200, keeping meta when omitted", async () => {
    await call("PUT", "/projects/queues-home/queues/q2", { body: { name: "Q2", meta: { a: 1 } } });

    const res = await call("PUT", "/projects/queues-home/queues/q2", { body: { name: "Q2b" } });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: "Q2b", meta: { a: 1 } });
  });

  it("revives a deleted queue as a new one with 201 and no reset record", async () => {
    await call("PUT", "/projects/queues-home/queues/q3", { body: { name: "Q3" } });
    await call("POST", "/projects/queues-home/queues/q3/reset");
    await call("DELETE", "/projects/queues-home/queues/q3");

    const res = await call("PUT", "/projects/queues-home/queues/q3", { body: { name: "Q3" } });

    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ last_reset_at: null, last_operation: null });
  });

  it("answers 404 when the project does not exist", async () => {
    const res = await call("PUT", "/projects/nowhere/queues/q1", { body: { name: "Q" } });

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });

  it("rejects a reserved queue id with 400 naming queueId", async () => {
    const res = await call("PUT", "/projects/queues-home/queues/stats", { body: { name: "Q" } });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["queueId"]);
  });

  it("rejects meta that is not an object", async () => {
    const res = await call("PUT", "/projects/queues-home/queues/q9", {
      body: { name: "Q", meta: [1, 2] },
    });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["meta"]);
  });
});

describe("project and queue management roles", () => {
  let keys: Awaited<ReturnType<typeof roleKeys>>;
  beforeAll(async () => {
    keys = await roleKeys("roles-p");
    await makeProject("roles-p");
  });

  it("refuses a client key with 403 on every route", async () => {
    const requests = [
      call("PUT", "/projects/roles-p", { key: keys.client, body: { name: "x" } }),
      call("PUT", "/projects/roles-p/queues/q", { key: keys.client, body: { name: "x" } }),
      call("DELETE", "/projects/roles-p/queues/q", { key: keys.client }),
      call("DELETE", "/projects/roles-p", { key: keys.client }),
    ];

    for (const res of await Promise.all(requests)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("FORBIDDEN");
    }
  });

  it("refuses a client key with 403 even when its body is invalid", async () => {
    const res = await call("PUT", "/projects/roles-p", { key: keys.client, body: { name: 5 } });

    expect(res.status).toBe(403);
  });

  it("lets a manager key create and rename projects and queues", async () => {
    const project = await call("PUT", "/projects/roles-m", {
      key: keys.manager,
      body: { name: "M" },
    });
    const queue = await call("PUT", "/projects/roles-m/queues/q", {
      key: keys.manager,
      body: { name: "Q" },
    });

    expect(project.status).toBe(201);
    expect(queue.status).toBe(201);
  });

  it("lets a manager key bound to the project manage it", async () => {
    const res = await call("PUT", "/projects/roles-p/queues/bq", {
      key: keys.boundManager,
      body: { name: "Q" },
    });

    expect(res.status).toBe(201);
  });

  it("refuses a manager key bound to another project with 403", async () => {
    const put = await call("PUT", "/projects/roles-p", {
      key: keys.otherManager,
      body: { name: "x" },
    });
    const del = await call("DELETE", "/projects/roles-p", { key: keys.otherManager });

    expect(put.status).toBe(403);
    expect(del.status).toBe(403);
  });

  it("lets an admin key delete a project", async () => {
    await makeProject("roles-admin");

    const res = await call("DELETE", "/projects/roles-admin");

    expect(res.status).toBe(200);
  });
});
