import { z } from "@hono/zod-openapi";
import type { ProjectRow, QueueRow } from "../db/schema";
import { InfoSchema, NameSchema, NewIdSchema } from "../schemas/common";
import { iso } from "../schemas/task";

export const NewProjectParams = z.object({
  projectId: NewIdSchema.openapi({
    param: { name: "projectId", in: "path" },
    example: "my-project",
  }),
});

export const NewQueueParams = NewProjectParams.extend({
  queueId: NewIdSchema.openapi({ param: { name: "queueId", in: "path" }, example: "my-queue" }),
});

export const PutProjectBody = z
  .object({
    name: NameSchema.min(1, "must not be empty"),
    client_info: InfoSchema.nullish(),
    git_info: InfoSchema.nullish(),
  })
  .strict()
  .openapi({
    example: { name: "My project", git_info: { branch: "main", commit: "4f2a9c1" } },
  });

export const PutQueueBody = z
  .object({
    name: NameSchema.min(1, "must not be empty"),
    meta: InfoSchema.nullish(),
  })
  .strict()
  .openapi({ example: { name: "Nightly batch", meta: { owner: "ops" } } });

export const ProjectSchema = z
  .object({
    project_id: z.string().openapi({ example: "my-project" }),
    name: z.string().openapi({ example: "My project" }),
    client_info: z.unknown().nullable(),
    git_info: z.unknown().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Project");

export const QueueSchema = z
  .object({
    project_id: z.string().openapi({ example: "my-project" }),
    queue_id: z.string().openapi({ example: "my-queue" }),
    name: z.string().openapi({ example: "Nightly batch" }),
    meta: z.unknown().nullable(),
    last_reset_at: z.string().nullable(),
    last_operation: z.enum(["reset", "reset-error", "re-run"]).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Queue");

export function toProjectJson(row: ProjectRow): z.infer<typeof ProjectSchema> {
  return {
    project_id: row.projectId,
    name: row.name,
    client_info: row.clientInfo ?? null,
    git_info: row.gitInfo ?? null,
    created_at: iso(row.createdAt) as string,
    updated_at: iso(row.updatedAt) as string,
  };
}

export function toQueueJson(row: QueueRow): z.infer<typeof QueueSchema> {
  return {
    project_id: row.projectId,
    queue_id: row.queueId,
    name: row.name,
    meta: row.meta ?? null,
    last_reset_at: iso(row.lastResetAt),
    last_operation: row.lastOperation,
    created_at: iso(row.createdAt) as string,
    updated_at: iso(row.updatedAt) as string,
  };
}
