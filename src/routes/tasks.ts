import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, count, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { requireTask } from "../db/lookups";
import { pageOf } from "../db/paginate";
import { tasks } from "../db/schema";
import { ok } from "../http/envelope";
import { createRouter } from "../http/router";
import {
  COMMON_ERRORS,
  IdSchema,
  jsonResponse,
  NOT_FOUND,
  PageQuery,
  ProjectParams,
  pageSchema,
  QueueParams,
  QueueTaskParams,
  StatusSchema,
  TaskParams,
} from "../schemas/common";
import { TaskSchema, toTaskJson } from "../schemas/task";

const tags = ["tasks"];

const PULLED_STATUSES = ["pulled", "not_pulled", "pushed"] as const;

const QueueTaskListQuery = PageQuery.extend({
  status: StatusSchema.optional(),
  source: z.enum(["server", "client"]).optional(),
  pulled_status: z
    .enum(PULLED_STATUSES)
    .optional()
    .openapi({
      description:
        "Server tasks only. `pulled`: held by a live lease; `not_pulled`: not pushed and not " +
        "held; `pushed`: submitted after a pull",
    }),
  include_deleted: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "`true` lists soft-deleted tasks too (with deleted_at set)" }),
});

const TaskListQuery = QueueTaskListQuery.extend({
  queue_id: IdSchema.optional().openapi({ description: "Only the tasks of this queue" }),
});

type TaskFilters = z.infer<typeof TaskListQuery>;

const TaskPageSchema = pageSchema(TaskSchema);
const TaskDetailSchema = TaskSchema.openapi({ description: "The task with messages and logs" });

/** Lease state as the pull code sees it: an expired lease no longer holds the task. */
function pulledStatusCondition(status: (typeof PULLED_STATUSES)[number], now: number): SQL {
  if (status === "pushed") return sql`${tasks.pushedAt} IS NOT NULL`;
  const held = sql`(${tasks.pulledAt} IS NOT NULL AND ${tasks.leaseExpiresAt} > ${now})`;
  const notPushed = sql`${tasks.source} = 'server' AND ${tasks.pushedAt} IS NULL`;
  return status === "pulled" ? sql`${notPushed} AND ${held}` : sql`${notPushed} AND NOT ${held}`;
}

function listConditions(projectId: string, filters: TaskFilters, now: number): SQL {
  return and(
    eq(tasks.projectId, projectId),
    filters.queue_id === undefined ? undefined : eq(tasks.queueId, filters.queue_id),
    filters.include_deleted === "true" ? undefined : isNull(tasks.deletedAt),
    filters.status === undefined ? undefined : eq(tasks.status, filters.status),
    filters.source === undefined ? undefined : eq(tasks.source, filters.source),
    filters.pulled_status === undefined
      ? undefined
      : pulledStatusCondition(filters.pulled_status, now),
  ) as SQL;
}

/**
 * One page of tasks, ordered by id (the unique index), with the total for the pagination; 404
 * if the project, or the queue being listed, is missing.
 */
async function listTasks(db: Db, projectId: string, filters: TaskFilters) {
  const where = listConditions(projectId, filters, Date.now());
  const { items, pagination } = await pageOf(
    db,
    db.select().from(tasks).where(where).orderBy(asc(tasks.taskId)).$dynamic(),
    db.select({ total: count() }).from(tasks).where(where),
    filters,
    { projectId, queueId: filters.queue_id },
  );
  return { items: items.map((row) => toTaskJson(row)), pagination };
}

const listProjectTasks = createRoute({
  method: "get",
  path: "/projects/{projectId}/tasks",
  tags,
  summary: "List the tasks of a project (project-level and queued), filtered and paginated",
  request: { params: ProjectParams, query: TaskListQuery },
  responses: {
    200: jsonResponse(TaskPageSchema, "Tasks by id"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const getProjectTask = createRoute({
  method: "get",
  path: "/projects/{projectId}/tasks/{taskId}",
  tags,
  summary: "Read one task with its messages and logs",
  request: { params: TaskParams },
  responses: {
    200: jsonResponse(TaskDetailSchema, "The task"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const listQueueTasks = createRoute({
  method: "get",
  path: "/projects/{projectId}/queues/{queueId}/tasks",
  tags,
  summary: "List the tasks of a queue, filtered and paginated",
  request: { params: QueueParams, query: QueueTaskListQuery },
  responses: {
    200: jsonResponse(TaskPageSchema, "Tasks by id"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const getQueueTask = createRoute({
  method: "get",
  path: "/projects/{projectId}/queues/{queueId}/tasks/{taskId}",
  tags,
  summary: "Read one task of a queue (404 if it is not in that queue)",
  request: { params: QueueTaskParams },
  responses: {
    200: jsonResponse(TaskDetailSchema, "The task"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

export const taskRoutes = createRouter();

taskRoutes.openapi(listProjectTasks, async (c) => {
  const { projectId } = c.req.valid("param");
  return ok(c, await listTasks(c.var.db, projectId, c.req.valid("query")), "OK", 200);
});

taskRoutes.openapi(getProjectTask, async (c) => {
  const { projectId, taskId } = c.req.valid("param");
  const task = await requireTask(c.var.db, projectId, taskId);
  return ok(c, toTaskJson(task, { withLogs: true }), "OK", 200);
});

taskRoutes.openapi(listQueueTasks, async (c) => {
  const { projectId, queueId } = c.req.valid("param");
  const filters = { ...c.req.valid("query"), queue_id: queueId };
  return ok(c, await listTasks(c.var.db, projectId, filters), "OK", 200);
});

taskRoutes.openapi(getQueueTask, async (c) => {
  const { projectId, queueId, taskId } = c.req.valid("param");
  const task = await requireTask(c.var.db, projectId, taskId, queueId);
  return ok(c, toTaskJson(task, { withLogs: true }), "OK", 200);
});
