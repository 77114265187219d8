import { createRoute, z } from "@hono/zod-openapi";
import { desc, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { generateApiKey, hashApiKey, newId } from "../auth/keys";
import { assertRole } from "../auth/principal";
import { API_KEY_ROLES, type ApiKeyRow, apiKeys } from "../db/schema";
import { ok } from "../http/envelope";
import { ApiError, notFound } from "../http/errors";
import { createRouter } from "../http/router";
import { callKeyObject } from "../limiter/enforce";
import { keyObjectName } from "../limiter/key-record";
import {
  COMMON_ERRORS,
  IdSchema,
  jsonBody,
  jsonResponse,
  NameSchema,
  NOT_FOUND,
  PageQuery,
  PaginationSchema,
  paginate,
} from "../schemas/common";
import { iso } from "../schemas/task";

const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: "key_3kq9v0c1b2n4m5x6" }),
    name: z.string(),
    role: z.enum(API_KEY_ROLES),
    project_id: z.string().nullable(),
    key_prefix: z.string().openapi({ example: "te_AbC123" }),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi("ApiKey");

const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The key itself: shown in this response only" }),
});

const CreateApiKeyBody = z
  .object({
    name: NameSchema.min(1, "must not be empty"),
    role: z.enum(API_KEY_ROLES),
    project_id: IdSchema.nullish(),
  })
  .strict();

const UpdateApiKeyBody = z
  .object({
    name: NameSchema.min(1, "must not be empty").optional(),
    role: z.enum(API_KEY_ROLES).optional(),
    project_id: IdSchema.nullable().optional(),
  })
  .strict();

const KeyParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

function toApiKeyJson(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    project_id: row.projectId,
    key_prefix: row.keyPrefix,
    created_at: iso(row.createdAt) as string,
    revoked_at: iso(row.revokedAt),
  };
}

const tags = ["api-keys"];

const listKeys = createRoute({
  method: "get",
  path: "/api-keys",
  tags,
  summary: "List API keys (admin). Never shows a key itself.",
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(ApiKeySchema), pagination: PaginationSchema }),
      "Keys, newest first",
    ),
    ...COMMON_ERRORS,
  },
});

const createKey = createRoute({
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
  method: "get",
  path: "/api-keys/{id}",
  tags,
  summary: "Read one API key (admin)",
  request: { params: KeyParams },
  responses: { 200: jsonResponse(ApiKeySchema, "The key"), ...COMMON_ERRORS, ...NOT_FOUND },
});

const updateKey = createRoute({
  method: "patch",
  path: "/api-keys/{id}",
  tags,
  summary: "Rename, change the role or the project binding of a key (admin)",
  request: { params: KeyParams, body: jsonBody(UpdateApiKeyBody) },
  responses: { 200: jsonResponse(ApiKeySchema, "The key"), ...COMMON_ERRORS, ...NOT_FOUND },
});

const revokeKey = createRoute({
  method: "delete",
  path: "/api-keys/{id}",
  tags,
  summary: "Revoke a key (admin); it fails from its next request on",
  request: { params: KeyParams },
  responses: { 200: jsonResponse(ApiKeySchema, "The revoked key"), ...COMMON_ERRORS, ...NOT_FOUND },
});

export const apiKeyRoutes = createRouter();

apiKeyRoutes.use("/api-keys/*", async (c, next) => {
  assertRole(c.var.principal, "admin");
  await next();
});
apiKeyRoutes.use("/api-keys", async (c, next) => {
  assertRole(c.var.principal, "admin");
  await next();
});

apiKeyRoutes.openapi(listKeys, async (c) => {
  const { page, pageSize } = c.req.valid("query");
  const db = c.var.db;
  const [rows, [count]] = await db.batch([
    db
      .select()
      .from(apiKeys)
      .orderBy(desc(apiKeys.createdAt), apiKeys.id)
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db
      .select({ total: db.$count(apiKeys) })
      .from(apiKeys)
      .limit(1),
  ]);
  const total = count?.total ?? 0;
  return ok(c, { items: rows.map(toApiKeyJson), pagination: paginate(page, pageSize, total) });
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
 * The key's object remembers the key for a while (src/limiter/rate-limiter.ts); it must drop
 * that before we answer, so a revoke or an edit holds from the next request on.
 */
async function forgetKey(c: Context<AppEnv>, row: ApiKeyRow) {
  await callKeyObject(c.env, keyObjectName(row.keyHash), c.var.requestId, (object) =>
    object.forget(),
  );
}

apiKeyRoutes.openapi(getKey, async (c) => {
  return ok(c, toApiKeyJson(await loadKey(c, c.req.valid("param").id)));
});

apiKeyRoutes.openapi(updateKey, async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  await loadKey(c, id);
  const changes = {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.role !== undefined ? { role: body.role } : {}),
    ...(body.project_id !== undefined ? { projectId: body.project_id } : {}),
  };
  if (Object.keys(changes).length === 0) {
    throw new ApiError("VALIDATION_ERROR", "Nothing to change: send name, role or project_id", [
      { field: "body", message: "must contain name, role or project_id" },
    ]);
  }
  const [row] = await c.var.db.update(apiKeys).set(changes).where(eq(apiKeys.id, id)).returning();
  await forgetKey(c, row as ApiKeyRow);
  return ok(c, toApiKeyJson(row as ApiKeyRow), "API key updated");
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
  await forgetKey(c, row as ApiKeyRow);
  return ok(c, toApiKeyJson(row as ApiKeyRow), "API key revoked");
});
