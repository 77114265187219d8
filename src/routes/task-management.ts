import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { clientIdentity } from "../auth/authenticate";
import { requireRole } from "../auth/require-role";
import { requireScope, requireTask, type Scope } from "../db/lookups";
import { ok } from "../http/envelope";
import { invalid } from "../http/errors";
import { createRouter } from "../http/router";
import {
  CreateTaskBody,
  createdTaskId,
  EditTaskBody,
  MoveTaskBody,
  moveTarget,
} from "../management/task-body";
import { createTask, deleteTask, editTask, moveTask } from "../management/task-writes";
import {
  COMMON_ERRORS,
  CONFLICT,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  ProjectParams,
  QueueParams,
  QueueTaskParams,
  TaskParams,
} from "../schemas/common";
import { TaskSchema, toTaskJson } from "../schemas/task";

const tags = ["tasks"];
const middleware = requireRole("manager");

// Each operation exists at project level (`/projects/{p}/…`) and in a queue (`…/queues/{q}/…`).
const createRoutes = {
  project: createRoute({
    method: "post",
    path: "/projects/{projectId}/tasks",
    tags,
    middleware,
    summary: "Create a project-level server task (manager)",
    request: { params: ProjectParams, body: jsonBody(CreateTaskBody) },
    responses: {
      201: jsonResponse(TaskSchema, "The new task"),
      ...COMMON_ERRORS,
      ...NOT_FOUND,
      ...CONFLICT,
    },
  }),
  queue: createRoute({
    method: "post",
    path: "/projects/{projectId}/queues/{queueId}/tasks",
    tags,
    middleware,
    summary: "Create a server task in a queue (manager)",
    request: { params: QueueParams, body: jsonBody(CreateTaskBody) },
    responses: {
      201: jsonResponse(TaskSchema, "The new task"),
      ...COMMON_ERRORS,
      ...NOT_FOUND,
      ...CONFLICT,
    },
  }),
};

const EDIT_SUMMARY = "Edit a task (manager); ends any claim (`edited`) and makes it pullable again";
const editRoutes = {
  project: createRoute({
    method: "put",
    path: "/projects/{projectId}/tasks/{taskId}",
    tags,
    middleware,
    summary: EDIT_SUMMARY,
    request: { params: TaskParams, body: jsonBody(EditTaskBody) },
    responses: { 200: jsonResponse(TaskSchema, "The task"), ...COMMON_ERRORS, ...NOT_FOUND },
  }),
  queue: createRoute({
    method: "put",
    path: "/projects/{projectId}/queues/{queueId}/tasks/{taskId}",
    tags,
    middleware,
    summary: `${EDIT_SUMMARY}; the task must be in this queue`,
    request: { params: QueueTaskParams, body: jsonBody(EditTaskBody) },
    responses: { 200: jsonResponse(TaskSchema, "The task"), ...COMMON_ERRORS, ...NOT_FOUND },
  }),
};

const DELETE_SUMMARY = "Soft-delete a task (manager); a claim ends `deleted`, history is kept";
const deleteRoutes = {
  project: createRoute({
    method: "delete",
    path: "/projects/{projectId}/tasks/{taskId}",
    tags,
    middleware,
    summary: DELETE_SUMMARY,
    request: { params: TaskParams },
    responses: {
      200: jsonResponse(TaskSchema, "The deleted task"),
      ...COMMON_ERRORS,
      ...NOT_FOUND,
    },
  }),
  queue: createRoute({
    method: "delete",
    path: "/projects/{projectId}/queues/{queueId}/tasks/{taskId}",
    tags,
    middleware,
    summary: `${DELETE_SUMMARY}; the task must be in this queue`,
    request: { params: QueueTaskParams },
    responses: {
      200: jsonResponse(TaskSchema, "The deleted task"),
      ...COMMON_ERRORS,
      ...NOT_FOUND,
    },
  }),
};

const moveRoute = createRoute({
  method: "post",
  path: "/projects/{projectId}/tasks/{taskId}/move",
  tags,
  middleware,
  summary: "Move a task to another queue, or to project level with null (manager); keeps a claim",
  request: { params: TaskParams, body: jsonBody(MoveTaskBody) },
  responses: { 200: jsonResponse(TaskSchema, "The moved task"), ...COMMON_ERRORS, ...NOT_FOUND },
});

const actorOf = (c: Context<AppEnv>) => clientIdentity(c.req.raw.headers, c.var.principal);

export const taskManagementRoutes = createRouter();

for (const route of [createRoutes.project, createRoutes.queue]) {
  taskManagementRoutes.openapi(route, async (c) => {
    const scope: Scope = c.req.valid("param");
    const body = c.req.valid("json");
    await requireScope(c.var.db, scope);

    const target = { ...scope, queueId: scope.queueId ?? null, taskId: createdTaskId(body) };
    const row = await createTask(c.var.db, target, body, Date.now());

    return ok(c, toTaskJson(row), "Task created", 201);
  });
}

for (const route of [editRoutes.project, editRoutes.queue]) {
  taskManagementRoutes.openapi(route, async (c) => {
    const { taskId, ...scope }: Scope & { taskId: string } = c.req.valid("param");
    const body = c.req.valid("json");
    const actor = actorOf(c);
    const task = await requireTask(c.var.db, scope.projectId, taskId, scope.queueId);

    const row = await editTask(c.var.db, task, body, actor, Date.now());

    return ok(c, toTaskJson(row), "Task updated");
  });
}

for (const route of [deleteRoutes.project, deleteRoutes.queue]) {
  taskManagementRoutes.openapi(route, async (c) => {
    const { taskId, ...scope }: Scope & { taskId: string } = c.req.valid("param");
    const actor = actorOf(c);
    const task = await requireTask(c.var.db, scope.projectId, taskId, scope.queueId);

    const row = await deleteTask(c.var.db, task, actor, Date.now());

    return ok(c, toTaskJson(row), "Task deleted");
  });
}

taskManagementRoutes.openapi(moveRoute, async (c) => {
  const { projectId, taskId } = c.req.valid("param");
  const queueId = moveTarget(c.req.valid("json"));
  const task = await requireTask(c.var.db, projectId, taskId);

  if (task.queueId === queueId) {
    const where = queueId === null ? "at project level" : `in queue ${queueId}`;
    throw invalid("queue_id", `task ${taskId} is already ${where}`);
  }
  if (queueId !== null) await requireScope(c.var.db, { projectId, queueId });

  const row = await moveTask(c.var.db, task, queueId, Date.now());

  return ok(c, toTaskJson(row), "Task moved");
});
