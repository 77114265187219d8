import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, count, eq, isNull, type SQL } from "drizzle-orm";
import { requireProject, requireQueue } from "../db/lookups";
import { pageOf } from "../db/paginate";
import { projects, queues, tasks } from "../db/schema";
import { ok } from "../http/envelope";
import { createRouter } from "../http/router";
import {
  ProjectSchema,
  QueueSchema,
  toProjectJson,
  toQueueJson,
} from "../management/project-schemas";
import {
  COMMON_ERRORS,
  jsonResponse,
  NOT_FOUND,
  PageQuery,
  ProjectParams,
  pageSchema,
  QueueParams,
} from "../schemas/common";

const tags = ["projects"];

const Count = z.number().int();
const TaskCountsSchema = z
  .object({
    total: Count,
    pending: Count,
    running: Count,
    done: Count,
    error: Count,
    cancelled: Count,
  })
  .openapi({ description: "Live tasks of the queue, by status" });

type TaskCounts = z.infer<typeof TaskCountsSchema>;

const QueueDetailSchema = QueueSchema.extend({ task_counts: TaskCountsSchema });

const listProjects = createRoute({
  method: "get",
  path: "/projects",
  tags,
  summary: "List live projects; a key bound to a project sees only that one",
  request: { query: PageQuery },
  responses: { 200: jsonResponse(pageSchema(ProjectSchema), "Projects by id"), ...COMMON_ERRORS },
});

const getProject = createRoute({
  method: "get",
  path: "/projects/{projectId}",
  tags,
  summary: "Read one project",
  request: { params: ProjectParams },
  responses: { 200: jsonResponse(ProjectSchema, "The project"), ...COMMON_ERRORS, ...NOT_FOUND },
});

const listQueues = createRoute({
  method: "get",
  path: "/projects/{projectId}/queues",
  tags,
  summary: "List the live queues of a project",
  request: { params: ProjectParams, query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(QueueSchema), "Queues by id"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const getQueue = createRoute({
  method: "get",
  path: "/projects/{projectId}/queues/{queueId}",
  tags,
  summary: "Read one queue, with its live tasks counted by status",
  request: { params: QueueParams },
  responses: {
    200: jsonResponse(QueueDetailSchema, "The queue"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

export const projectRoutes = createRouter();

projectRoutes.openapi(listProjects, async (c) => {
  const { page, pageSize } = c.req.valid("query");
  const bound = c.var.principal.projectId;
  const where = and(
    isNull(projects.deletedAt),
    bound === null ? undefined : eq(projects.projectId, bound),
  ) as SQL;

  const db = c.var.db;
  const { items, pagination } = await pageOf(
    db,
    db.select().from(projects).where(where).orderBy(asc(projects.projectId)).$dynamic(),
    db.select({ total: count() }).from(projects).where(where),
    { page, pageSize },
  );

  return ok(c, { items: items.map(toProjectJson), pagination }, "OK", 200);
});

projectRoutes.openapi(getProject, async (c) => {
  const { projectId } = c.req.valid("param");
  return ok(c, toProjectJson(await requireProject(c.var.db, projectId)), "OK", 200);
});

projectRoutes.openapi(listQueues, async (c) => {
  const { projectId } = c.req.valid("param");
  const { page, pageSize } = c.req.valid("query");
  const db = c.var.db;

  const where = and(eq(queues.projectId, projectId), isNull(queues.deletedAt)) as SQL;
  const { items, pagination } = await pageOf(
    db,
    db.select().from(queues).where(where).orderBy(asc(queues.queueId)).$dynamic(),
    db.select({ total: count() }).from(queues).where(where),
    { page, pageSize },
    { projectId },
  );

  return ok(c, { items: items.map(toQueueJson), pagination }, "OK", 200);
});

projectRoutes.openapi(getQueue, async (c) => {
  const { projectId, queueId } = c.req.valid("param");
  const db = c.var.db;
  const queue = await requireQueue(db, projectId, queueId);

  const byStatus = await db
    .select({ status: tasks.status, count: count() })
    .from(tasks)
    .where(and(eq(tasks.projectId, projectId), eq(tasks.queueId, queueId), isNull(tasks.deletedAt)))
    .groupBy(tasks.status);

  const counts: TaskCounts = { total: 0, pending: 0, running: 0, done: 0, error: 0, cancelled: 0 };
  for (const row of byStatus) {
    counts[row.status] = row.count;
    counts.total += row.count;
  }
  return ok(c, { ...toQueueJson(queue), task_counts: counts }, "OK", 200);
});
