import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError, invalid } from "../http/errors";
import { budgetFor } from "../limiter/budgets";
import { assertAllowed, callKeyObject, rateLimitHeaders } from "../limiter/enforce";
import { ADMIN_TOKEN_OBJECT, keyObjectName } from "../limiter/key-record";
import type { Authorization } from "../limiter/rate-limiter";
import { hashApiKey, timingSafeEqualText } from "./keys";
import type { Principal } from "./principal";

const ADMIN_TOKEN_PRINCIPAL: Principal = {
  keyId: ADMIN_TOKEN_OBJECT,
  name: "admin-token",
  role: "admin",
  projectId: null,
};

function presentedKey(headers: Headers): string | null {
  const direct = headers.get("x-api-key");
  if (direct) return direct.trim();
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "");
  return bearer?.[1]?.trim() ?? null;
}

/**
 * Who the key is and whether its budget has room, in one call to the key's Durable Object
 * (src/limiter/rate-limiter.ts), which looks keys up by their SHA-256 hash.
 */
async function authorizeKey(
  env: Env,
  key: string,
  budget: ReturnType<typeof budgetFor>,
  requestId: string,
): Promise<Authorization> {
  if (env.ADMIN_TOKEN && timingSafeEqualText(key, env.ADMIN_TOKEN)) {
    const decision = await callKeyObject(env, ADMIN_TOKEN_OBJECT, requestId, (object) =>
      object.admit(budget),
    );
    return { principal: ADMIN_TOKEN_PRINCIPAL, decision };
  }
  const keyHash = await hashApiKey(key);
  return callKeyObject(env, keyObjectName(keyHash), requestId, (object) =>
    object.authorize(keyHash, budget),
  );
}

/**
 * Authenticates the caller (`X-API-Key` or `Authorization: Bearer`, or the ADMIN_TOKEN) and
 * spends one request of its pull or API budget (SPEC §3, §8). Unknown or revoked keys get 401
 * and spend nothing; over the budget is a 429; every other answer carries `X-RateLimit-*`.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const key = presentedKey(c.req.raw.headers);
  if (!key) throw new ApiError("INVALID_API_KEY", "Missing API key: send X-API-Key");

  const budget = budgetFor(c.req.method, c.req.path, c.var.config);
  const { principal, decision } = await authorizeKey(c.env, key, budget, c.var.requestId);
  if (!principal || !decision) throw new ApiError("INVALID_API_KEY", "Unknown or revoked API key");
  c.set("principal", principal);
  assertAllowed(decision, budget);

  await next();
  for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.header(name, value);
});

const PRINTABLE = /^[\x20-\x7E]{1,128}$/;

/** `X-Client-Id` when sent (1–128 printable ASCII characters), else the key's name. */
export function clientIdentity(headers: Headers, principal: Principal): string {
  const sent = headers.get("x-client-id");
  if (sent === null) return principal.name;
  if (!PRINTABLE.test(sent)) {
    throw invalid("X-Client-Id", "must be 1-128 printable ASCII characters");
  }
  return sent;
}
