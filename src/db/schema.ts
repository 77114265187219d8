import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

// Every timestamp is stored as integer milliseconds since the epoch: cheap to compare and index,
// and rendered as ISO-8601 only at the API edge (`iso` in src/schemas/task.ts).

export const projects = sqliteTable("projects", {
  projectId: text("project_id").primaryKey(),
  name: text("name").notNull(),
  clientInfo: text("client_info", { mode: "json" }),
  gitInfo: text("git_info", { mode: "json" }),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  deletedAt: integer("deleted_at"),
});

export const queues = sqliteTable(
  "queues",
  {
    projectId: text("project_id").notNull(),
    queueId: text("queue_id").notNull(),
    name: text("name").notNull(),
    meta: text("meta", { mode: "json" }),
    lastResetAt: integer("last_reset_at"),
    lastOperation: text("last_operation", { enum: ["reset", "reset-error", "re-run"] }),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.queueId] })],
);

export const TASK_STATUSES = ["pending", "running", "done", "error", "cancelled"] as const;

/**
 * The condition under which a task sits in the claimable indexes: a live server task, not
 * pushed, not held. The claim (src/pull/claim.ts) uses this very SQL, because SQLite only picks
 * a partial index when the query's WHERE implies the index's.
 */
export const FREE_TO_CLAIM = sql.raw(
  "source = 'server' AND deleted_at IS NULL AND pushed_at IS NULL AND pulled_at IS NULL",
);

export const tasks = sqliteTable(
  "tasks",
  {
    // The rowid: pull events point here, so a task's history survives a delete-and-recreate.
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: text("project_id").notNull(),
    queueId: text("queue_id"),
    taskId: text("task_id").notNull(),
    name: text("name").notNull(),
    prompt: text("prompt").notNull().default(""),
    specFile: text("spec_file", { mode: "json" }).$type<string[]>().notNull().default([]),
    status: text("status", { enum: TASK_STATUSES }).notNull().default("pending"),
    report: text("report"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
    // As given (`high`, `7`); priorityRank is what ordering uses: high 10, medium 5, low 1, none 0.
    priority: text("priority"),
    priorityRank: integer("priority_rank").notNull().default(0),
    messages: text("messages", { mode: "json" }),
    logs: text("logs", { mode: "json" }),
    source: text("source", { enum: ["server", "client"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    serverModifiedAt: integer("server_modified_at"),
    expiresAt: integer("expires_at"),
    deletedAt: integer("deleted_at"),
    // `server`: an operator deleted it, and a submit never brings it back. `mirror`: it vanished
    // from the client's own list, and reappears when the client submits it again.
    deletedBy: text("deleted_by", { enum: ["server", "mirror"] }),
    // Pull state. A live claim has pulledAt, leaseId and leaseExpiresAt set.
    pulledAt: integer("pulled_at"),
    pulledBy: text("pulled_by"),
    pulledByKeyId: text("pulled_by_key_id"),
    leaseId: text("lease_id"),
    leaseExpiresAt: integer("lease_expires_at"),
    pushedAt: integer("pushed_at"),
    pullCount: integer("pull_count").notNull().default(0),
  },
  (t) => [
    uniqueIndex("tasks_project_task_uq").on(t.projectId, t.taskId),
    index("tasks_queue_idx").on(t.projectId, t.queueId, t.taskId),
    // Claim order inside one queue (queue_id IS NULL for project-level tasks).
    index("tasks_claimable_queue_idx")
      .on(t.projectId, t.queueId, sql`priority_rank DESC`, t.createdAt, t.taskId)
      .where(FREE_TO_CLAIM),
    // Claim order across a whole project (`scope=all`).
    index("tasks_claimable_project_idx")
      .on(t.projectId, sql`priority_rank DESC`, t.createdAt, t.taskId)
      .where(FREE_TO_CLAIM),
    // Held leases by expiry: the cron frees expired ones across all projects through this...
    index("tasks_lease_expiry_idx").on(t.leaseExpiresAt).where(sql`pulled_at IS NOT NULL`),
    // ...and every claim frees the expired ones of its own scope through this.
    index("tasks_held_scope_idx")
      .on(t.projectId, t.queueId, t.leaseExpiresAt)
      .where(sql`pulled_at IS NOT NULL`),
    index("tasks_lease_idx").on(t.leaseId).where(sql`lease_id IS NOT NULL`),
  ],
);

export const PULL_OUTCOMES = [
  "submitted",
  "released",
  "timeout",
  "reset",
  "edited",
  "deleted",
] as const;
export type PullOutcome = (typeof PULL_OUTCOMES)[number];

export const pullEvents = sqliteTable(
  "pull_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    taskRowId: integer("task_row_id").notNull(),
    projectId: text("project_id").notNull(),
    queueId: text("queue_id"),
    taskId: text("task_id").notNull(),
    leaseId: text("lease_id").notNull(),
    pulledAt: integer("pulled_at").notNull(),
    pulledBy: text("pulled_by").notNull(),
    keyId: text("key_id"),
    leaseExpiresAt: integer("lease_expires_at").notNull(),
    endedAt: integer("ended_at"),
    endedBy: text("ended_by"),
    outcome: text("outcome", { enum: PULL_OUTCOMES }),
  },
  (t) => [
    index("pull_events_task_idx").on(t.taskRowId, t.pulledAt),
    index("pull_events_open_idx").on(t.taskRowId).where(sql`ended_at IS NULL`),
    index("pull_events_project_idx").on(t.projectId, t.pulledAt),
    index("pull_events_lease_idx").on(t.leaseId),
  ],
);

export const API_KEY_ROLES = ["client", "manager", "admin"] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    role: text("role", { enum: API_KEY_ROLES }).notNull(),
    projectId: text("project_id"),
    // SHA-256 of the key, hex. The key itself is never stored.
    keyHash: text("key_hash").notNull(),
    keyPrefix: text("key_prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_uq").on(t.keyHash)],
);

/**
 * Never holds a row. A batch that must abort when a condition fails inserts `ok = 0` under
 * that condition (`INSERT … SELECT 0 WHERE NOT EXISTS …`): the CHECK fails, D1 rolls the whole
 * batch back, and the caller maps `batch_guards_ok` in the error to its own 409. D1 has no
 * other way to abort a batch from inside SQL.
 */
export const batchGuards = sqliteTable("batch_guards", { ok: integer("ok").notNull() }, () => [
  check("batch_guards_ok", sql`ok = 1`),
]);

export type ProjectRow = typeof projects.$inferSelect;
export type QueueRow = typeof queues.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
