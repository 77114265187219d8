import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, call } from "../helpers";
import { insertKey, limiterOfKey } from "./keys";

// The limiter project's vars (vitest.config.ts): 5 API requests per 60 s, 3 pulls per 30 s.
const API_LIMIT = Number(env.API_RATE_LIMIT);
const PULL_LIMIT = Number(env.PULL_RATE_LIMIT);

const PROJECT_PULL = "/projects/limits/tasks/pull";
const QUEUE_PULL = "/projects/limits/queues/q1/tasks/pull";
const BATCH_PULL = "/projects/limits/tasks/pull/batch";

async function spend(key: string, count: number, path = "/api-keys") {
  for (let i = 0; i < count; i++) await call("GET", path, { key });
}

const header = (res: { headers: Headers }, name: string) => Number(res.headers.get(name));

describe("rate limiting middleware", () => {
  it("lets exactly the limit through a concurrent burst and answers 429 to the rest", async () => {
    const { key } = await insertKey("admin");
    const extra = 4;

    const responses = await Promise.all(
      Array.from({ length: API_LIMIT + extra }, () => call("GET", "/api-keys", { key })),
    );

    const succeeded = responses.filter((res) => res.status === 200).length;
    const refused = responses.filter((res) => res.status === 429).length;
    const sent = API_LIMIT + extra;
    console.info(
      `HTTP burst: limit ${API_LIMIT}, ${sent} concurrent -> ${succeeded} x 200, ${refused} x 429`,
    );
    expect(succeeded).toBe(API_LIMIT);
    expect(refused).toBe(extra);
  });

  it("sends the limit, the remaining count and the reset time on a success", async () => {
    const { key } = await insertKey("admin");
    const before = Math.floor(Date.now() / 1000);

    const res = await call("GET", "/api-keys", { key });

    expect(res.status).toBe(200);
    expect(header(res, "X-RateLimit-Limit")).toBe(API_LIMIT);
    expect(header(res, "X-RateLimit-Remaining")).toBe(API_LIMIT - 1);
    expect(header(res, "X-RateLimit-Reset")).toBeGreaterThanOrEqual(before + 60);
    expect(header(res, "X-RateLimit-Reset")).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
  });

  it("answers 429 RATE_LIMIT_EXCEEDED with Retry-After and the rate-limit headers", async () => {
    const { key } = await insertKey("admin");
    await spend(key, API_LIMIT);

    const res = await call("GET", "/api-keys", { key });

    expect(res.status).toBe(429);
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe("RATE_LIMIT_EXCEEDED");
    expect(res.body.error.details).toEqual({ budget: "api", limit: API_LIMIT, window_seconds: 60 });
    expect(header(res, "Retry-After")).toBeGreaterThanOrEqual(1);
    expect(header(res, "Retry-After")).toBeLessThanOrEqual(60);
    expect(header(res, "X-RateLimit-Limit")).toBe(API_LIMIT);
    expect(header(res, "X-RateLimit-Remaining")).toBe(0);
    expect(header(res, "X-RateLimit-Reset")).toBeGreaterThan(Math.floor(Date.now() / 1000));
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
  });

  it("does not run the handler of a refused request", async () => {
    const { key } = await insertKey("admin");
    await spend(key, API_LIMIT);
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM api_keys").first<number>("n");

    const res = await call("POST", "/api-keys", { key, body: { name: "late", role: "client" } });

    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM api_keys").first<number>("n");
    expect(res.status).toBe(429);
    expect(after).toBe(before);
  });

  it("sends the rate-limit headers on an error response of a counted request", async () => {
    const { key } = await insertKey("client");

    const res = await call("GET", "/api-keys", { key });

    expect(res.status).toBe(403);
    expect(header(res, "X-RateLimit-Remaining")).toBe(API_LIMIT - 1);
  });

  it("keeps each key's budget to itself", async () => {
    const spent = await insertKey("admin");
    const fresh = await insertKey("admin");
    await spend(spent.key, API_LIMIT);

    const spentRes = await call("GET", "/api-keys", { key: spent.key });
    const freshRes = await call("GET", "/api-keys", { key: fresh.key });

    expect(spentRes.status).toBe(429);
    expect(freshRes.status).toBe(200);
    expect(header(freshRes, "X-RateLimit-Remaining")).toBe(API_LIMIT - 1);
  });

  it("takes the limits from the configured vars", async () => {
    const { key } = await insertKey("client");

    const api = await call("GET", "/api-keys", { key });
    const pull = await call("GET", PROJECT_PULL, { key });

    expect(API_LIMIT).toBe(5);
    expect(PULL_LIMIT).toBe(3);
    expect(header(api, "X-RateLimit-Limit")).toBe(API_LIMIT);
    expect(header(pull, "X-RateLimit-Limit")).toBe(PULL_LIMIT);
    expect(header(pull, "X-RateLimit-Reset")).toBeLessThanOrEqual(
      Math.ceil(Date.now() / 1000) + 30,
    );
  });

  it("spends the pull budget on pulls and leaves the API budget untouched", async () => {
    const { key } = await insertKey("admin");
    await spend(key, PULL_LIMIT, PROJECT_PULL);

    const pull = await call("GET", PROJECT_PULL, { key });
    const api = await call("GET", "/api-keys", { key });

    expect(pull.status).toBe(429);
    expect(pull.body.error.details.budget).toBe("pull");
    expect(api.status).toBe(200);
    expect(header(api, "X-RateLimit-Remaining")).toBe(API_LIMIT - 1);
  });

  it("spends the pull budget on project, queue and batch pulls alike", async () => {
    const { key } = await insertKey("client");
    await call("GET", PROJECT_PULL, { key });
    await call("GET", QUEUE_PULL, { key });
    await call("POST", BATCH_PULL, { key, body: { limit: 1 } });

    const res = await call("GET", `${PROJECT_PULL}?scope=all`, { key });

    expect(res.status).toBe(429);
    expect(res.body.error.details.budget).toBe("pull");
  });

  it("spends the API budget on the other routes under a project", async () => {
    const { key } = await insertKey("client");

    const release = await call("POST", "/projects/limits/tasks/pull/release/batch", {
      key,
      body: { taskIds: ["a"] },
    });
    const history = await call("GET", "/projects/limits/tasks/t1/pull/history", { key });

    expect(header(release, "X-RateLimit-Limit")).toBe(API_LIMIT);
    expect(header(history, "X-RateLimit-Limit")).toBe(API_LIMIT);
  });

  it("forgets requests older than the window", async () => {
    const { key } = await insertKey("admin");
    const limiter = await limiterOfKey(key);
    const windowAgo = Date.now() - 61_000;
    for (let i = 0; i < API_LIMIT; i++) {
      await limiter.admit({ name: "api", limit: API_LIMIT, windowSeconds: 60 }, windowAgo);
    }

    const res = await call("GET", "/api-keys", { key });

    expect(res.status).toBe(200);
    expect(header(res, "X-RateLimit-Remaining")).toBe(API_LIMIT - 1);
  });

  it("limits the ADMIN_TOKEN like any key", async () => {
    await spend(ADMIN, API_LIMIT);

    const res = await call("GET", "/api-keys");

    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe("RATE_LIMIT_EXCEEDED");
  });

  it("does not count or label requests that fail authentication", async () => {
    const res = await call("GET", "/api-keys", { key: "te_not-a-real-key" });

    expect(res.status).toBe(401);
    expect(res.headers.get("X-RateLimit-Limit")).toBeNull();
  });
});
