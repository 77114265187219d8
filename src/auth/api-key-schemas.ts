import { z } from "@hono/zod-openapi";
import { API_KEY_ROLES, type ApiKeyRow } from "../db/schema";
import { IdSchema, isObjectBody, NameSchema } from "../schemas/common";
import { iso } from "../schemas/task";

export const ApiKeySchema = z
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

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The key itself: shown in this response only" }),
});

/**
 * An admin key manages the keys of every project, so it cannot be bound to one: a bound admin
 * would be refused key management (403) and be no more than a bound manager.
 */
export const ADMIN_UNBOUND =
  "must be null for an admin key: admin keys manage keys of every project";

const adminIsUnbound = (body: { role?: string; project_id?: string | null }) =>
  body.role !== "admin" || (body.project_id ?? null) === null;

export const CreateApiKeyBody = z
  .object({
    name: NameSchema.min(1, "must not be empty"),
    role: z.enum(API_KEY_ROLES),
    project_id: IdSchema.nullish(),
  })
  .strict()
  .refine(adminIsUnbound, { path: ["project_id"], message: ADMIN_UNBOUND, when: isObjectBody });

export const UpdateApiKeyBody = z
  .object({
    name: NameSchema.min(1, "must not be empty").optional(),
    role: z.enum(API_KEY_ROLES).optional(),
    project_id: IdSchema.nullable().optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: "must contain name, role or project_id",
    when: isObjectBody,
  })
  .refine(adminIsUnbound, { path: ["project_id"], message: ADMIN_UNBOUND, when: isObjectBody });

export const KeyParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

export function toApiKeyJson(row: ApiKeyRow) {
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
