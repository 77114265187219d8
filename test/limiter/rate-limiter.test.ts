import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Budget } from "../../src/limiter/decision";
import { limiterOf } from "./keys";

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const API: Budget = { name: "api", limit: 3, windowSeconds: 60 };
const PULL: Budget = { name: "pull", limit: 2, windowSeconds: 60 };

/** A limiter object of its own for each test. */
const freshLimiter = () => limiterOf(`object-${crypto.randomUUID()}`);

describe("RateLimiter Durable Object", () => {
  it("accepts the limit and counts the remaining requests down", async () => {
    const limiter = freshLimiter();

    const decisions = [
      await limiter.admit(API, T0),
      await limiter.admit(API, T0 + 1),
      await limiter.admit(API, T0 + 2),
    ];

    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0]);
    expect(decisions.every((d) => d.limit === 3)).toBe(true);
  });

  it("refuses the request over the limit without throwing, with the seconds to wait", async () => {
    const limiter = freshLimiter();
    for (const at of [T0, T0 + 10_000, T0 + 20_000]) await limiter.admit(API, at);

    const refused = await limiter.admit(API, T0 + 30_000);

    expect(refused).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetAt: (T0 + 60_000) / 1000,
      retryAfter: 30,
    });
  });

  it("reports as reset time the moment the oldest counted request leaves the window", async () => {
    const limiter = freshLimiter();
    await limiter.admit(API, T0);

    const second = await limiter.admit(API, T0 + 15_000);

    expect(second.resetAt).toBe((T0 + 60_000) / 1000);
  });

  it("never accepts more than the limit in any span of the window", async () => {
    const limiter = freshLimiter();
    for (const at of [T0, T0 + 10_000, T0 + 20_000]) await limiter.admit(API, at);

    const justBefore = await limiter.admit(API, T0 + 59_999);
    const atTheEdge = await limiter.admit(API, T0 + 60_000);
    const rightAfter = await limiter.admit(API, T0 + 60_001);

    expect(justBefore.allowed).toBe(false);
    expect(atTheEdge).toMatchObject({ allowed: true, remaining: 0 });
    expect(rightAfter.allowed).toBe(false);
  });

  it("gives the whole budget back once a full window has passed", async () => {
    const limiter = freshLimiter();
    for (const at of [T0, T0 + 1, T0 + 2, T0 + 3]) await limiter.admit(API, at);

    const later = await limiter.admit(API, T0 + 60_002);

    expect(later).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("keeps the api and pull budgets of one key apart", async () => {
    const limiter = freshLimiter();
    for (const at of [T0, T0 + 1]) await limiter.admit(PULL, at);

    const pull = await limiter.admit(PULL, T0 + 2);
    const api = await limiter.admit(API, T0 + 3);

    expect(pull.allowed).toBe(false);
    expect(api).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
  });

  it("serializes a concurrent burst so exactly the limit gets through", async () => {
    const limiter = freshLimiter();
    const budget: Budget = { name: "api", limit: 20, windowSeconds: 60 };

    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => limiter.admit(budget, T0)),
    );

    const allowed = decisions.filter((d) => d.allowed).length;
    console.info(`limiter object burst: limit 20, 50 concurrent -> ${allowed} allowed`);
    expect(allowed).toBe(20);
    expect(decisions.filter((d) => d.allowed).map((d) => d.remaining)).toEqual(
      Array.from({ length: 20 }, (_, i) => 19 - i),
    );
  });

  it("keeps its log in the object's SQLite storage, one row per accepted request", async () => {
    const limiter = freshLimiter();
    for (let i = 0; i < 5; i++) await limiter.admit(API, T0 + i);
    await limiter.admit(PULL, T0 + 5);

    const rows = await runInDurableObject(limiter, (_instance, state) => {
      return state.storage.sql
        .exec<{ bucket: string; at: number }>("SELECT bucket, at FROM hits ORDER BY at")
        .toArray();
    });

    expect(rows).toEqual([
      { bucket: "api", at: T0 },
      { bucket: "api", at: T0 + 1 },
      { bucket: "api", at: T0 + 2 },
      { bucket: "pull", at: T0 + 5 },
    ]);
  });

  it("deletes the rows that left the window", async () => {
    const limiter = freshLimiter();
    for (const at of [T0, T0 + 1, T0 + 2]) await limiter.admit(API, at);

    await limiter.admit(API, T0 + 60_001);

    const ats = await runInDurableObject(limiter, (_instance, state) => {
      return state.storage.sql
        .exec<{ at: number }>("SELECT at FROM hits ORDER BY at")
        .toArray()
        .map((row) => row.at);
    });
    expect(ats).toEqual([T0 + 2, T0 + 60_001]);
  });

  it("remembers the window after the object is evicted", async () => {
    const limiter = freshLimiter();
    for (const at of [T0, T0 + 1, T0 + 2]) await limiter.admit(API, at);

    await evictDurableObject(limiter);
    const afterEviction = await limiter.admit(API, T0 + 3);

    expect(afterEviction.allowed).toBe(false);
  });

  it("waits for enough requests to leave a window over-full after a lowered limit", async () => {
    const limiter = freshLimiter();
    for (const at of [T0, T0 + 10_000, T0 + 20_000]) await limiter.admit(API, at);

    const lowered = await limiter.admit({ ...API, limit: 2 }, T0 + 30_000);

    // Two of the three must leave: the one made at T0 + 10 s is the second to go.
    expect(lowered).toMatchObject({ allowed: false, remaining: 0, retryAfter: 40 });
  });
});
