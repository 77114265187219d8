import { describe, expect, it } from "vitest";
import { api, e2e, expectStatus } from "./client";

// What `npm run dev` promises on a fresh state: a live server, an admin token and a client key
// that work with no manual step, and the cron reachable by hand.
describe("npm run dev", () => {
  it("answers GET /health without a key", async () => {
    const reply = await api("GET", "/health");

    expectStatus(reply, 200);
    expect(reply.body).toEqual({ ok: true });
  });

  it("serves the OpenAPI document without a key", async () => {
    const reply = await api("GET", "/api/v1/openapi.json");

    expectStatus(reply, 200);
    expect(reply.body.openapi).toBe("3.1.0");
  });

  it("accepts the ADMIN_TOKEN it wrote to .dev.vars as an admin key", async () => {
    const reply = await api("GET", "/api/v1/api-keys", { key: e2e.adminToken });

    expectStatus(reply, 200);
    expect(reply.body.success).toBe(true);
  });

  it("inserts DEV_API_KEY as a client key named dev-client", async () => {
    const reply = await api("GET", "/api/v1/api-keys?pageSize=100", { key: e2e.adminToken });

    const devKey = reply.body.data.items.find((k: any) => k.key_prefix === "your-api-");
    expect(devKey).toMatchObject({ name: e2e.devKeyName, role: "client", project_id: null });
  });

  it("gives the dev key no admin rights", async () => {
    const reply = await api("GET", "/api/v1/api-keys", { key: e2e.devKey });

    expectStatus(reply, 403);
    expect(reply.body.error.code).toBe("FORBIDDEN");
  });

  it("lets the dev key list projects", async () => {
    const reply = await api("GET", "/api/v1/projects", { key: e2e.devKey });

    expectStatus(reply, 200);
    expect(reply.body.data.items).toBeInstanceOf(Array);
  });

  it("rejects an unknown key with 401 INVALID_API_KEY", async () => {
    const reply = await api("GET", "/api/v1/projects", { key: "te_not_a_real_key" });

    expectStatus(reply, 401);
    expect(reply.body.error.code).toBe("INVALID_API_KEY");
  });

  it("marks every answer with X-Request-Id", async () => {
    const reply = await api("GET", "/api/v1/projects");

    expect(reply.headers.get("x-request-id")).toMatch(/\S/);
  });

  it("runs the cron when /__scheduled is called", async () => {
    const reply = await api("GET", "/__scheduled?cron=*+*+*+*+*");

    expectStatus(reply, 200);
  });
});
