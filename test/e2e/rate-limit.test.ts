import { beforeAll, describe, expect, it } from "vitest";
import { api, createKey, createOperator, e2e, expectStatus, type Reply } from "./client";

// The server runs with PULL_RATE_LIMIT = e2e.pullRateLimit per 60 s (global-setup.ts). One key
// spends its whole pull budget here; every other file uses keys of its own.

const project = "rate-project";
const pullPath = `/api/v1/projects/${project}/tasks/pull?limit=1`;

describe("the per-key pull rate limit", () => {
  let greedy: string;
  const withinBudget: Reply[] = [];
  let overBudget: Reply;

  beforeAll(async () => {
    const operator = await createOperator("rate-operator");
    await operator.putProject(project, "Rate limits");
    greedy = await createKey("client", "greedy-poller");

    for (let i = 0; i < e2e.pullRateLimit; i += 1) {
      withinBudget.push(await api("GET", pullPath, { key: greedy }));
    }
    overBudget = await api("GET", pullPath, { key: greedy });
  });

  it("answers every pull within the budget", () => {
    expect(withinBudget.map((reply) => reply.status)).toEqual(Array(e2e.pullRateLimit).fill(200));
  });

  it("sends X-RateLimit-Limit, -Remaining and -Reset on every pull", () => {
    const remaining = withinBudget.map((reply) =>
      Number(reply.headers.get("x-ratelimit-remaining")),
    );

    expect(withinBudget[0]?.headers.get("x-ratelimit-limit")).toBe(String(e2e.pullRateLimit));
    expect(remaining[0]).toBe(e2e.pullRateLimit - 1);
    expect(remaining.at(-1)).toBe(0);
    for (const reply of withinBudget) {
      expect(Number(reply.headers.get("x-ratelimit-reset"))).toBeGreaterThan(1_600_000_000);
    }
  });

  it("answers 429 RATE_LIMIT_EXCEEDED once the budget is spent", () => {
    expectStatus(overBudget, 429);
    expect(overBudget.body.success).toBe(false);
    expect(overBudget.body.error.code).toBe("RATE_LIMIT_EXCEEDED");
  });

  it("tells the client when to retry on a 429", () => {
    const retryAfter = Number(overBudget.headers.get("retry-after"));

    expect(Number.isInteger(retryAfter) && retryAfter > 0).toBe(true);
    expect(overBudget.headers.get("x-ratelimit-limit")).toBe(String(e2e.pullRateLimit));
    expect(overBudget.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(overBudget.headers.get("x-ratelimit-reset"))).toBeGreaterThan(1_600_000_000);
  });

  it("keeps the budget of other keys untouched", async () => {
    const other = await createKey("client", "patient-poller");

    const reply = await api("GET", pullPath, { key: other });

    expectStatus(reply, 200);
  });

  it("still serves the limited key's requests that are not pulls", async () => {
    const reply = await api("GET", `/api/v1/projects/${project}/tasks/pull/stats`, { key: greedy });

    expectStatus(reply, 200);
  });
});
