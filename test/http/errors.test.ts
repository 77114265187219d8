import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, type ApiResponse, BASE, call } from "../helpers";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The error envelope of SPEC §2, with a request id header, on every failure. */
function expectEnvelope(res: ApiResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    success: false,
    error: expect.objectContaining({ code, message: expect.any(String) }),
    timestamp: expect.stringMatching(ISO),
  });
  expect(res.headers.get("X-Request-Id")).toBeTruthy();
}

describe("request bodies", () => {
  it("returns 400 for malformed JSON", async () => {
    const res = await call("POST", "/submit", { body: '{"project_id": "p",' });

    expectEnvelope(res, 400, "VALIDATION_ERROR");
    expect(res.body.error.details[0].field).toBe("body");
  });

  it("returns 400 for a body that is not JSON by content type", async () => {
    const res = await call("POST", "/submit", {
      body: "project_id=p",
      headers: { "Content-Type": "text/plain" },
    });

    expectEnvelope(res, 400, "VALIDATION_ERROR");
    expect(res.body.error.details[0].field).toBe("Content-Type");
  });

  it("returns 400 for a JSON body that is not an object", async () => {
    const res = await call("POST", "/submit", { body: "[1, 2]" });

    expectEnvelope(res, 400, "VALIDATION_ERROR");
  });

  it("returns 413 for a body over 5 MB", async () => {
    const body = JSON.stringify({ padding: "x".repeat(5 * 1024 * 1024) });

    const res = await call("POST", "/submit", { body });

    expectEnvelope(res, 413, "PAYLOAD_TOO_LARGE");
  });
});

describe("routes", () => {
  it("returns the 404 envelope for an unknown API route", async () => {
    const res = await call("GET", "/no-such-thing");

    expectEnvelope(res, 404, "RESOURCE_NOT_FOUND");
  });

  it("returns the 404 envelope for an unknown path outside the API", async () => {
    const res = await exports.default.fetch("http://taskecho.test/nowhere");

    expect(res.status).toBe(404);
    expect((await res.json<any>()).error.code).toBe("RESOURCE_NOT_FOUND");
  });

  it("returns the 404 envelope for a method a path does not have", async () => {
    expectEnvelope(await call("DELETE", "/submit"), 404, "RESOURCE_NOT_FOUND");
  });

  it("asks for a key before revealing whether a route exists", async () => {
    expectEnvelope(await call("GET", "/no-such-thing", { key: null }), 401, "INVALID_API_KEY");
  });
});

describe("request ids", () => {
  it("echoes a well-formed X-Request-Id", async () => {
    const res = await call("GET", "/projects", { headers: { "X-Request-Id": "req-123.abc" } });

    expect(res.headers.get("X-Request-Id")).toBe("req-123.abc");
  });

  it("replaces a malformed X-Request-Id with its own", async () => {
    const res = await call("GET", "/projects", { headers: { "X-Request-Id": "bad id!" } });

    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends a request id on success too", async () => {
    const res = await call("GET", "/projects", { key: ADMIN });

    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
  });
});

describe("GET /health", () => {
  it("answers without a key", async () => {
    const res = await exports.default.fetch("http://taskecho.test/health");

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
  });
});

describe("the success envelope", () => {
  it("wraps data with success, message and timestamp", async () => {
    const res = await exports.default.fetch(`${BASE}/projects`, {
      headers: { "X-API-Key": ADMIN },
    });

    expect(await res.json()).toEqual({
      success: true,
      data: expect.any(Object),
      message: expect.any(String),
      timestamp: expect.stringMatching(ISO),
    });
  });
});
