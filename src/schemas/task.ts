import { z } from "@hono/zod-openapi";
import type { TaskRow } from "../db/schema";
import { StatusSchema } from "./common";

const Timestamp = z.string().nullable().openapi({ example: "2024-01-01T01:00:00.000Z" });

export const TaskSchema = z
  .object({
    task_id: z.string().openapi({ example: "task-001" }),
    id: z.string().openapi({ description: "Same as task_id" }),
    project_id: z.string(),
    queue_id: z.string().nullable(),
    name: z.string(),
    prompt: z.string(),
    spec_file: z.array(z.string()),
    status: StatusSchema,
    report: z.string().nullable(),
    tags: z.array(z.string()),
    priority: z.union([z.string(), z.number()]).nullable(),
    source: z.enum(["server", "client"]),
    created_at: z.string(),
    updated_at: z.string(),
    server_modified_at: Timestamp,
    expires_at: Timestamp,
    deleted_at: Timestamp,
    pulled_at: Timestamp,
    pulled_by: z.string().nullable(),
    lease_id: z.string().nullable(),
    lease_expires_at: Timestamp,
    pushed_at: Timestamp,
    pull_count: z.number().int(),
    messages: z.unknown().optional(),
    logs: z.unknown().optional(),
  })
  .openapi("Task");

export type TaskJson = z.infer<typeof TaskSchema>;

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

const PRIORITY_RANK: Record<string, number> = { high: 10, medium: 5, low: 1 };

/** The numeric rank ordering uses: high 10, medium 5, low 1, a number itself, none 0. */
export function priorityRank(priority: string | number | null | undefined): number {
  if (priority === null || priority === undefined) return 0;
  if (typeof priority === "number") return priority;
  return PRIORITY_RANK[priority] ?? Number(priority);
}

/** Stored priority text back to what the client sent: `high` stays a word, `7` a number. */
function priorityOut(priority: string | null): string | number | null {
  if (priority === null) return null;
  return /^\d+$/.test(priority) ? Number(priority) : priority;
}

export function toTaskJson(row: TaskRow, options: { withLogs?: boolean } = {}): TaskJson {
  const task: TaskJson = {
    task_id: row.taskId,
    id: row.taskId,
    project_id: row.projectId,
    queue_id: row.queueId,
    name: row.name,
    prompt: row.prompt,
    spec_file: row.specFile,
    status: row.status,
    report: row.report,
    tags: row.tags,
    priority: priorityOut(row.priority),
    source: row.source,
    created_at: iso(row.createdAt) as string,
    updated_at: iso(row.updatedAt) as string,
    server_modified_at: iso(row.serverModifiedAt),
    expires_at: iso(row.expiresAt),
    deleted_at: iso(row.deletedAt),
    pulled_at: iso(row.pulledAt),
    pulled_by: row.pulledBy,
    lease_id: row.leaseId,
    lease_expires_at: iso(row.leaseExpiresAt),
    pushed_at: iso(row.pushedAt),
    pull_count: row.pullCount,
  };
  if (options.withLogs) {
    task.messages = row.messages ?? null;
    task.logs = row.logs ?? null;
  }
  return task;
}
