import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey } from "../helpers";

describe("POST /api-keys", () => {
  it("creates a key and shows it once, with its prefix", async () => {
    const res = await call("POST", "/api-keys", {
      body: { name: "worker-eu-1", role: "client", project_id: "my-project" },
    });

    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      name: "worker-eu-1",
      role: "client",
      project_id: "my-project",
      revoked_at: null,
    });
    expect(res.body.data.key).toMatch(/^te_[\w-]{43}$/);
    expect(res.body.data.key.startsWith(res.body.data.key_prefix)).toBe(true);
  });

  it("stores only a SHA-256 hash of the key", async () => {
    const { id, key } = await createKey("client");

    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(id).first<any>();

    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key);
  });

  it("makes a key that works at once", async () => {
    const { key } = await createKey("client");

    expect((await call("GET", "/projects", { key })).status).toBe(200);
  });

  it("returns 400 naming role when it is unknown", async () => {
    const res = await call("POST", "/api-keys", { body: { name: "x", role: "root" } });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.field)).toContain("role");
  });

  it("returns 400 naming name when it is missing", async () => {
    const res = await call("POST", "/api-keys", { body: { role: "client" } });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.field)).toContain("name");
  });
});

describe("GET /api-keys", () => {
  it("never shows a key in the listing", async () => {
    const { key } = await createKey("client");

    const res = await call("GET", "/api-keys?pageSize=100");

    expect(res.status).toBe(200);
    expect(res.body.data.items.length).toBeGreaterThan(0);
    for (const item of res.body.data.items) expect(item).not.toHaveProperty("key");
    expect(JSON.stringify(res.body)).not.toContain(key);
  });

  it("never shows a key when reading one", async () => {
    const { id, key } = await createKey("client");

    const res = await call("GET", `/api-keys/${id}`);

    expect(res.status).toBe(200);
    expect(res.body.data).not.toHaveProperty("key");
    expect(JSON.stringify(res.body)).not.toContain(key);
  });

  it("returns 404 for an unknown key id", async () => {
    const res = await call("GET", "/api-keys/key_unknown");

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RESOURCE_NOT_FOUND");
  });
});

describe("DELETE /api-keys/{id}", () => {
  it("stops the key on its very next request", async () => {
    const { id, key } = await createKey("client");
    expect((await call("GET", "/projects", { key })).status).toBe(200);

    const revoked = await call("DELETE", `/api-keys/${id}`);

    expect(revoked.status).toBe(200);
    expect(revoked.body.data.revoked_at).not.toBeNull();
    expect((await call("GET", "/projects", { key })).status).toBe(401);
  });

  it("answers 200 when the key was already revoked", async () => {
    const { id } = await createKey("client");
    await call("DELETE", `/api-keys/${id}`);

    expect((await call("DELETE", `/api-keys/${id}`)).status).toBe(200);
  });
});

describe("PATCH /api-keys/{id}", () => {
  it("renames a key", async () => {
    const { id } = await createKey("client");

    const res = await call("PATCH", `/api-keys/${id}`, { body: { name: "renamed" } });

    expect(res.status).toBe(200);
    expect(res.body.data.name).toBe("renamed");
  });

  it("raises a key's role with effect on its next request", async () => {
    const { id, key } = await createKey("client");
    expect((await call("GET", "/api-keys", { key })).status).toBe(403);

    await call("PATCH", `/api-keys/${id}`, { body: { role: "admin" } });

    expect((await call("GET", "/api-keys", { key })).status).toBe(200);
  });

  it("binds a key to a project", async () => {
    const { id, key } = await createKey("client");

    await call("PATCH", `/api-keys/${id}`, { body: { project_id: "only-this" } });

    expect((await call("GET", "/projects/another", { key })).status).toBe(403);
  });

  it("returns 400 when nothing would change", async () => {
    const { id } = await createKey("client");

    const res = await call("PATCH", `/api-keys/${id}`, { body: {} });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
  });

  it("returns 404 for an unknown key id", async () => {
    const res = await call("PATCH", "/api-keys/key_unknown", { body: { name: "x" } });

    expect(res.status).toBe(404);
  });
});
