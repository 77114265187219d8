import { createRoute } from "@hono/zod-openapi";
import { and, count, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import {
  ADMIN_UNBOUND,
  ApiKeySchema,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  KeyParams,
  toApiKeyJson,
  UpdateApiKeyBody,
} from "../auth/api-key-schemas";
import { generateApiKey, hashApiKey, newId } from "../auth/keys";
import { requireRole } from "../auth/require-role";
import { pageOf } from "../db/paginate";
import { type ApiKeyRow, apiKeys } from "../db/schema";
import { ok } from "../http/envelope";
import { invalid, notFound } from "../http/errors";
import { log } from "../http/log";
import { createRouter } from "../http/router";
import { KEY_RECHECK_MS, keyObjectName } from "../limiter/key-record";
import {
  COMMON_ERRORS,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  PageQuery,
  pageSchema,
} from "../schemas/common";

const tags = ["api-keys"];
// "admin" here means an admin key bound to no project (403 otherwise). These routes are not
// under /projects/{projectId}, so the project-binding check does not cover them: a bound admin
// could otherwise list every key and mint an unbound one.
const middleware = requireRole("admin", { unbound: true });

const listKeys = createRoute({
  middleware,
  method: "get",
  path: "/api-keys",
  tags,
  summary: "List API keys (admin). Never shows a key itself.",
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(ApiKeySchema), "Keys, newest first"),
    ...COMMON_ERRORS,
  },
});

const createKey = createRoute({
  middleware,
  method: "post",
  path: "/api-keys",
  tags,
  summary: "Create an API key (admin). The key is in this response only.",
  request: {
    body: jsonBody(
      CreateApiKeyBody.openapi({
        example: { name: "worker-eu-1", role: "client", project_id: "my-project" },
      }),
    ),
  },
  responses: { 201: jsonResponse(CreatedApiKeySchema, "The new key"), ...COMMON_ERRORS },
});

const getKey = createRoute({
  middleware,
  method: "get",
  path: "/api-keys/{id}",
  tags,
  summary: "Read one API key (admin)",
  request: { params: KeyParams },
  responses: { 200: jsonResponse(ApiKeySchema, "The key"), ...COMMON_ERRORS, ...NOT_FOUND },
});

const updateKey = createRoute({
  middleware,
  method: "patch",
  path: "/api-keys/{id}",
  tags,
  summary: "Rename, change the role or the project binding of a key (admin)",
  request: { params: KeyParams, body: jsonBody(UpdateApiKeyBody) },
  responses: { 200: jsonResponse(ApiKeySchema, "The key"), ...COMMON_ERRORS, ...NOT_FOUND },
});

const revokeKey = createRoute({
  middleware,
  method: "delete",
  path: "/api-keys/{id}",
  tags,
  summary: "Revoke a key (admin); it fails from its next request on",
  request: { params: KeyParams },
  responses: { 200: jsonResponse(ApiKeySchema, "The revoked key"), ...COMMON_ERRORS, ...NOT_FOUND },
});

export const apiKeyRoutes = createRouter();

apiKeyRoutes.openapi(listKeys, async (c) => {
  const db = c.var.db;
  const { items, pagination } = await pageOf(
    db,
    db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), apiKeys.id).$dynamic(),
    db.select({ total: count() }).from(apiKeys),
    c.req.valid("query"),
  );
  return ok(c, { items: items.map(toApiKeyJson), pagination });
});

apiKeyRoutes.openapi(createKey, async (c) => {
  const body = c.req.valid("json");
  const { key, prefix } = generateApiKey();
  const row: ApiKeyRow = {
    id: newId("key"),
    name: body.name,
    role: body.role,
    projectId: body.project_id ?? null,
    keyHash: await hashApiKey(key),
    keyPrefix: prefix,
    createdAt: Date.now(),
    revokedAt: null,
  };
  await c.var.db.insert(apiKeys).values(row);
  return ok(
    c,
    { ...toApiKeyJson(row), key },
    "API key created; store it now, it is not shown again",
    201,
  );
});

async function loadKey(c: Context<AppEnv>, id: string) {
  const row = await c.var.db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
  if (!row) throw notFound(`API key ${id}`);
  return row;
}

/**
 * The key's object remembers the key for up to KEY_RECHECK_MS (src/limiter/rate-limiter.ts);
 * `forget` makes a revoke or an edit hold from the next request on. The D1 write is already
 * committed when this runs, so a failure is logged and reported, never turned into an error.
 */
async function forgetKey(c: Context<AppEnv>, row: ApiKeyRow): Promise<boolean> {
  try {
    const objects = c.env.RATE_LIMITER;
    await objects.get(objects.idFromName(keyObjectName(row.keyHash))).forget();
    return true;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log("error", "key_forget_failed", { requestId: c.var.requestId, keyId: row.id, error });
    return false;
  }
}

/** The answer's message: whether the change holds at once or only after the recheck. */
const changeMessage = (done: string, forgotten: boolean) =>
  forgotten
    ? done
    : `${done}; the change is stored, but may take up to ${KEY_RECHECK_MS / 1000} s to reach ` +
      "a key already in use";

/**
 * Checked in the UPDATE itself against the row as it is then: the key after the change is not
 * an admin bound to a project.
 */
function notBoundAdminAfter(changes: { role?: string; projectId?: string | null }): SQL {
  const role = changes.role !== undefined ? sql`${changes.role}` : sql`${apiKeys.role}`;
  const project =
    changes.projectId !== undefined ? sql`${changes.projectId}` : sql`${apiKeys.projectId}`;
  return sql`NOT (${role} = 'admin' AND ${project} IS NOT NULL)`;
}

apiKeyRoutes.openapi(getKey, async (c) => {
  return ok(c, toApiKeyJson(await loadKey(c, c.req.valid("param").id)));
});

apiKeyRoutes.openapi(updateKey, async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const changes = {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.role !== undefined ? { role: body.role } : {}),
    ...(body.project_id !== undefined ? { projectId: body.project_id } : {}),
  };

  const [row] = await c.var.db
    .update(apiKeys)
    .set(changes)
    .where(and(eq(apiKeys.id, id), notBoundAdminAfter(changes)))
    .returning();
  if (!row) {
    // Keys are never deleted: a key that exists was held back by the admin-binding rule.
    const existing = await loadKey(c, id);
    const binding =
      existing.projectId === null ? "" : ` (the key is bound to ${existing.projectId})`;
    throw invalid("project_id", `${ADMIN_UNBOUND}${binding}`);
  }

  const forgotten = await forgetKey(c, row);
  return ok(c, toApiKeyJson(row), changeMessage("API key updated", forgotten));
});

apiKeyRoutes.openapi(revokeKey, async (c) => {
  const { id } = c.req.valid("param");
  const existing = await loadKey(c, id);
  if (existing.revokedAt !== null) return ok(c, toApiKeyJson(existing), "API key already revoked");

  const [row] = await c.var.db
    .update(apiKeys)
    .set({ revokedAt: Date.now() })
    .where(eq(apiKeys.id, id))
    .returning();

  const forgotten = await forgetKey(c, row as ApiKeyRow);
  return ok(c, toApiKeyJson(row as ApiKeyRow), changeMessage("API key revoked", forgotten));
});
