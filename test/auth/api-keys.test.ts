import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateApiKey, hashApiKey, newId } from "../../src/auth/keys";
import { call, createKey } from "../helpers";

const fieldsOf = (body: any): string[] => body.error.details.map((d: any) => d.field);

/**
 * An admin key bound to a project, written straight to D1: the API refuses to create one, but
 * rows from before that rule (or written by hand) still exist.
 */
async function insertBoundAdmin(projectId: string): Promise<string> {
  const { key, prefix } = generateApiKey();
  await env.DB.prepare(
    `INSERT INTO api_keys (id, name, role, project_id, key_hash, key_prefix, created_at)
     VALUES (?, 'bound-admin', 'admin', ?, ?, ?, ?)`,
  )
    .bind(newId("key"), projectId, await hashApiKey(key), prefix, Date.now())
    .run();
  return key;
}

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

  it("returns 400 naming project_id for an admin key bound to a project", async () => {
    const res = await call("POST", "/api-keys", {
      body: { name: "x", role: "admin", project_id: "my-project" },
    });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["project_id"]);
  });

  it("returns 403, not 400, to a client key sending an invalid body", async () => {
    const { key } = await createKey("client");

    const res = await call("POST", "/api-keys", { key, body: { role: "root" } });

    expect(res.status).toBe(403);
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

  it("returns 400 for an empty body before looking the key up", async () => {
    const res = await call("PATCH", "/api-keys/key_unknown", { body: {} });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["body"]);
  });

  it("answers 400 naming project_id when a bound key is made admin; nothing changes", async () => {
    const { id } = await createKey("client", { projectId: "bound-p" });

    const res = await call("PATCH", `/api-keys/${id}`, { body: { role: "admin", name: "n" } });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["project_id"]);
    expect((await call("GET", `/api-keys/${id}`)).body.data).toMatchObject({
      role: "client",
      project_id: "bound-p",
    });
  });

  it("returns 400 naming project_id when binding an admin key to a project", async () => {
    const { id } = await createKey("admin");

    const res = await call("PATCH", `/api-keys/${id}`, { body: { project_id: "bound-p" } });

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["project_id"]);
  });

  it("makes a bound key an admin when the same request unbinds it", async () => {
    const { id } = await createKey("manager", { projectId: "bound-p" });

    const res = await call("PATCH", `/api-keys/${id}`, {
      body: { role: "admin", project_id: null },
    });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ role: "admin", project_id: null });
  });
});

describe("an admin key bound to a project", () => {
  it("gets 403 listing keys", async () => {
    const key = await insertBoundAdmin("bound-admin-p");

    const res = await call("GET", "/api-keys", { key });

    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
  });

  it("gets 403 creating a key, and no key is made", async () => {
    const key = await insertBoundAdmin("bound-admin-p");

    const res = await call("POST", "/api-keys", {
      key,
      body: { name: "escape", role: "admin" },
    });

    expect(res.status).toBe(403);
    const made = await env.DB.prepare(
      "SELECT count(*) AS n FROM api_keys WHERE name = 'escape'",
    ).first<{ n: number }>();
    expect(made?.n).toBe(0);
  });

  it("still manages its own project like a manager", async () => {
    const key = await insertBoundAdmin("bound-admin-p");

    const res = await call("PUT", "/projects/bound-admin-p", { key, body: { name: "p" } });

    expect(res.status).toBe(201);
  });
});
