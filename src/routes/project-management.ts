import { createRoute, z } from "@hono/zod-openapi";
import { clientIdentity } from "../auth/authenticate";
import { requireRole } from "../auth/require-role";
import { requireScope } from "../db/lookups";
import { ok } from "../http/envelope";
import { createRouter } from "../http/router";
import {
  NewProjectParams,
  NewQueueParams,
  ProjectSchema,
  PutProjectBody,
  PutQueueBody,
  QueueSchema,
  toProjectJson,
  toQueueJson,
} from "../management/project-schemas";
import { putProject, putQueue } from "../management/project-writes";
import { deleteProject, deleteQueue } from "../management/scope-deletes";
import {
  COMMON_ERRORS,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  ProjectParams,
  QueueParams,
} from "../schemas/common";
import { iso } from "../schemas/task";

const tags = ["projects"];
const middleware = requireRole("manager");

const putProjectRoute = createRoute({
  method: "put",
  path: "/projects/{projectId}",
  tags,
  middleware,
  summary: "Create (201) or rename (200) a project (manager); revives a deleted one as new",
  request: { params: NewProjectParams, body: jsonBody(PutProjectBody) },
  responses: {
    200: jsonResponse(ProjectSchema, "The renamed project"),
    201: jsonResponse(ProjectSchema, "The new (or revived) project"),
    ...COMMON_ERRORS,
  },
});

const putQueueRoute = createRoute({
  method: "put",
  path: "/projects/{projectId}/queues/{queueId}",
  tags,
  middleware,
  summary: "Create (201) or rename (200) a queue of a project (manager)",
  request: { params: NewQueueParams, body: jsonBody(PutQueueBody) },
  responses: {
    200: jsonResponse(QueueSchema, "The renamed queue"),
    201: jsonResponse(QueueSchema, "The new (or revived) queue"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const DeletedProjectSchema = z.object({
  project_id: z.string().openapi({ example: "my-project" }),
  deleted_at: z.string().openapi({ example: "2024-01-01T01:00:00.000Z" }),
  deleted_queues_count: z.number().int().openapi({ example: 2 }),
  deleted_tasks_count: z.number().int().openapi({ example: 40 }),
});

const DeletedQueueSchema = z.object({
  project_id: z.string().openapi({ example: "my-project" }),
  queue_id: z.string().openapi({ example: "my-queue" }),
  deleted_at: z.string().openapi({ example: "2024-01-01T01:00:00.000Z" }),
  deleted_tasks_count: z.number().int().openapi({ example: 20 }),
});

const deleteProjectRoute = createRoute({
  method: "delete",
  path: "/projects/{projectId}",
  tags,
  middleware,
  summary: "Soft-delete a project with its queues and tasks (manager); pull history is kept",
  request: { params: ProjectParams },
  responses: {
    200: jsonResponse(DeletedProjectSchema, "What was deleted"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const deleteQueueRoute = createRoute({
  method: "delete",
  path: "/projects/{projectId}/queues/{queueId}",
  tags,
  middleware,
  summary: "Soft-delete a queue with its tasks (manager); pull history is kept",
  request: { params: QueueParams },
  responses: {
    200: jsonResponse(DeletedQueueSchema, "What was deleted"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

export const projectManagementRoutes = createRouter();

projectManagementRoutes.openapi(putProjectRoute, async (c) => {
  const { projectId } = c.req.valid("param");
  const body = c.req.valid("json");

  const { row, created } = await putProject(c.var.db, projectId, body, Date.now());

  if (created) return ok(c, toProjectJson(row), "Project created", 201);
  return ok(c, toProjectJson(row), "Project updated", 200);
});

projectManagementRoutes.openapi(putQueueRoute, async (c) => {
  const { projectId, queueId } = c.req.valid("param");
  const body = c.req.valid("json");
  await requireScope(c.var.db, { projectId });

  const { row, created } = await putQueue(c.var.db, projectId, queueId, body, Date.now());

  if (created) return ok(c, toQueueJson(row), "Queue created", 201);
  return ok(c, toQueueJson(row), "Queue updated", 200);
});

projectManagementRoutes.openapi(deleteProjectRoute, async (c) => {
  const { projectId } = c.req.valid("param");
  const actor = clientIdentity(c.req.raw.headers, c.var.principal);
  await requireScope(c.var.db, { projectId });

  const now = Date.now();
  const { deletedTasks, deletedQueues } = await deleteProject(c.var.db, projectId, actor, now);

  return ok(
    c,
    {
      project_id: projectId,
      deleted_at: iso(now) as string,
      deleted_queues_count: deletedQueues,
      deleted_tasks_count: deletedTasks,
    },
    "Project deleted",
  );
});

projectManagementRoutes.openapi(deleteQueueRoute, async (c) => {
  const { projectId, queueId } = c.req.valid("param");
  const actor = clientIdentity(c.req.raw.headers, c.var.principal);
  await requireScope(c.var.db, { projectId, queueId });

  const now = Date.now();
  const { deletedTasks } = await deleteQueue(c.var.db, projectId, queueId, actor, now);

  return ok(
    c,
    {
      project_id: projectId,
      queue_id: queueId,
      deleted_at: iso(now) as string,
      deleted_tasks_count: deletedTasks,
    },
    "Queue deleted",
  );
});
