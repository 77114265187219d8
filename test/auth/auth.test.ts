import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, BASE, call, createKey } from "../helpers";

const submitBody = (projectId: string) => ({
  project_id: projectId,
  project_name: projectId,
  queue_id: "q",
  queue_name: "q",
  tasks: [{ id: "t1", name: "t1", prompt: "", status: "pending" }],
});

function expectError(
  res: { status: number; body: any; headers: Headers },
  status: number,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(res.body.success).toBe(false);
  expect(res.body.error.code).toBe(code);
  expect(res.headers.get("X-Request-Id")).toBeTruthy();
}

describe("authentication", () => {
  it("returns 401 when no key is sent", async () => {
    expectError(await call("GET", "/projects", { key: null }), 401, "INVALID_API_KEY");
  });

  it("returns 401 for an unknown key", async () => {
    expectError(
      await call("GET", "/projects", { key: "te_not-a-real-key" }),
      401,
      "INVALID_API_KEY",
    );
  });

  it("returns 401 for a revoked key", async () => {
    const { id, key } = await createKey("client");
    await call("DELETE", `/api-keys/${id}`);

    expectError(await call("GET", "/projects", { key }), 401, "INVALID_API_KEY");
  });

  it("accepts the ADMIN_TOKEN as an admin key", async () => {
    const res = await call("GET", "/api-keys", { key: ADMIN });

    expect(res.status).toBe(200);
  });

  it("accepts a key sent as Authorization: Bearer", async () => {
    const { key } = await createKey("client");

    const res = await call("GET", "/projects", {
      key: null,
      headers: { Authorization: `Bearer ${key}` },
    });

    expect(res.status).toBe(200);
  });

  it("never echoes the key in a 401", async () => {
    const res = await exports.default.fetch(`${BASE}/projects`, {
      headers: { "X-API-Key": "te_secret-looking-value" },
    });

    expect(await res.text()).not.toContain("te_secret-looking-value");
  });
});

describe("roles", () => {
  it("lets a client key submit and read", async () => {
    const { key } = await createKey("client");

    const submitted = await call("POST", "/submit", { key, body: submitBody("client-proj") });
    const read = await call("GET", "/projects/client-proj/tasks/t1", { key });

    expect(submitted.status).toBe(200);
    expect(read.status).toBe(200);
  });

  it("returns 403 for a client key on an admin route", async () => {
    const { key } = await createKey("client");

    expectError(await call("GET", "/api-keys", { key }), 403, "FORBIDDEN");
  });

  it("returns 403 for a manager key on an admin route", async () => {
    const { key } = await createKey("manager");

    expectError(
      await call("POST", "/api-keys", { key, body: { name: "x", role: "client" } }),
      403,
      "FORBIDDEN",
    );
  });
});

describe("keys bound to a project", () => {
  it("may submit to their own project", async () => {
    const { key } = await createKey("client", { projectId: "bound-a" });

    const res = await call("POST", "/submit", { key, body: submitBody("bound-a") });

    expect(res.status).toBe(200);
  });

  it("get 403 when submitting to another project", async () => {
    const { key } = await createKey("client", { projectId: "bound-a" });

    const res = await call("POST", "/submit", { key, body: submitBody("bound-b") });

    expectError(res, 403, "FORBIDDEN");
    expect((await call("GET", "/projects/bound-b")).status).toBe(404);
  });

  it("get 403 when reading another project", async () => {
    await call("POST", "/submit", { body: submitBody("bound-c") });
    const { key } = await createKey("client", { projectId: "bound-a" });

    expectError(await call("GET", "/projects/bound-c", { key }), 403, "FORBIDDEN");
    expectError(await call("GET", "/projects/bound-c/tasks", { key }), 403, "FORBIDDEN");
    expectError(
      await call("GET", "/projects/bound-c/queues/q/tasks/t1", { key }),
      403,
      "FORBIDDEN",
    );
  });

  it("see only their own project in GET /projects", async () => {
    await call("POST", "/submit", { body: submitBody("bound-d") });
    await call("POST", "/submit", { body: submitBody("bound-e") });
    const { key } = await createKey("client", { projectId: "bound-d" });

    const res = await call("GET", "/projects?pageSize=100", { key });

    expect(res.body.data.items.map((p: any) => p.project_id)).toEqual(["bound-d"]);
    expect(res.body.data.pagination.total).toBe(1);
  });
});
