import { and, eq, isNull } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { apiKeys } from "../db/schema";
import { ApiError, invalid } from "../http/errors";
import { hashApiKey, timingSafeEqualText } from "./keys";
import type { Principal } from "./principal";

const ADMIN_TOKEN_PRINCIPAL: Principal = {
  keyId: "admin-token",
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
 * Resolves the caller from `X-API-Key` or `Authorization: Bearer`. Keys are looked up by their
 * SHA-256 hash on every request, so a revoked key fails on its very next request.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const key = presentedKey(c.req.raw.headers);
  if (!key) throw new ApiError("INVALID_API_KEY", "Missing API key: send X-API-Key");

  const adminToken = c.env.ADMIN_TOKEN;
  if (adminToken && timingSafeEqualText(key, adminToken)) {
    c.set("principal", ADMIN_TOKEN_PRINCIPAL);
    return next();
  }

  const keyHash = await hashApiKey(key);
  const row = await c.var.db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      role: apiKeys.role,
      projectId: apiKeys.projectId,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .get();
  if (!row) throw new ApiError("INVALID_API_KEY", "Unknown or revoked API key");

  c.set("principal", { keyId: row.id, name: row.name, role: row.role, projectId: row.projectId });
  return next();
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
