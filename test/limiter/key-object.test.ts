import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/auth/keys";
import type { Budget } from "../../src/limiter/decision";
import { KEY_RECHECK_MS } from "../../src/limiter/key-record";
import { insertKey, limiterOfKey } from "./keys";

const API: Budget = { name: "api", limit: 100, windowSeconds: 60 };
const T0 = Date.UTC(2030, 0, 1);

async function revokeInD1(id: string) {
  await env.DB.prepare("UPDATE api_keys SET revoked_at = 1 WHERE id = ?").bind(id).run();
}

describe("the key object's authorize", () => {
  it("answers the key's principal and spends one request of the budget", async () => {
    const { id, key } = await insertKey("manager");
    const object = await limiterOfKey(key);

    const { principal, decision } = await object.authorize(await hashApiKey(key), API, T0);

    expect(principal).toMatchObject({ keyId: id, role: "manager", projectId: null });
    expect(decision).toMatchObject({ allowed: true, remaining: 99 });
  });

  it("answers null for an unknown key and records nothing", async () => {
    const object = await limiterOfKey("te_not-a-key");
    const result = await object.authorize(await hashApiKey("te_not-a-key"), API, T0);

    expect(result).toEqual({ principal: null, decision: null });
    const hits = await runInDurableObject(object, (_instance, state) =>
      state.storage.sql.exec("SELECT count(*) AS n FROM hits").one(),
    );
    expect(hits.n).toBe(0);
  });

  it("sees a revocation made through the API at once, because the API calls forget", async () => {
    const { id, key } = await insertKey("client");
    const object = await limiterOfKey(key);
    const keyHash = await hashApiKey(key);
    await object.authorize(keyHash, API, T0);

    await revokeInD1(id);
    await object.forget();

    expect((await object.authorize(keyHash, API, T0 + 1)).principal).toBeNull();
  });

  it("notices a revocation made straight in D1 within KEY_RECHECK_MS", async () => {
    const { id, key } = await insertKey("client");
    const object = await limiterOfKey(key);
    const keyHash = await hashApiKey(key);
    await object.authorize(keyHash, API, T0);

    await revokeInD1(id);

    // Known limitation: the object trusts its copy until the recheck interval has passed.
    expect((await object.authorize(keyHash, API, T0 + 1000)).principal).not.toBeNull();
    expect((await object.authorize(keyHash, API, T0 + KEY_RECHECK_MS)).principal).toBeNull();
  });
});
