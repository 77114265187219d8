import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { clientIdentity } from "../auth/authenticate";
import { requireRole } from "../auth/require-role";
import { requireScope, requireTask } from "../db/lookups";
import { tasks } from "../db/schema";
import { ok } from "../http/envelope";
import { createRouter } from "../http/router";
import { rerunQueueTask, resetQueueTasks } from "../management/queue-resets";
import {
  COMMON_ERRORS,
  jsonResponse,
  NOT_FOUND,
  QueueParams,
  QueueTaskParams,
} from "../schemas/common";
import { iso } from "../schemas/task";

const tags = ["queue operations"];
const middleware = requireRole("manager");
const At = z.string().openapi({ example: "2024-01-01T01:00:00.000Z" });
const QueueIdField = z.string().openapi({ example: "my-queue" });

const ResetResultSchema = z.object({
  queue_id: QueueIdField,
  reset_tasks_count: z.number().int().openapi({ example: 12 }),
  reset_at: At,
});
const RerunResultSchema = z.object({
  queue_id: QueueIdField,
  rerun_tasks_count: z.number().int().openapi({ example: 12 }),
  rerun_at: At,
});
const TaskRerunResultSchema = z.object({
  task_id: z.string().openapi({ example: "task-001" }),
  rerun_at: At,
});

const queueRoute = <S extends z.ZodType>(path: string, summary: string, result: S) =>
  createRoute({
    method: "post",
    path: `/projects/{projectId}/queues/{queueId}/${path}`,
    tags,
    middleware,
    summary,
    request: { params: QueueParams },
    responses: { 200: jsonResponse(result, "What was reset"), ...COMMON_ERRORS, ...NOT_FOUND },
  });

const resetRoute = queueRoute(
  "reset",
  "Reset every task of the queue to pending with a clean pull state (manager)",
  ResetResultSchema,
);
const resetErrorRoute = queueRoute(
  "reset-error",
  "Reset only the queue's `error` tasks to pending with a clean pull state (manager)",
  ResetResultSchema,
);
const rerunRoute = queueRoute(
  "re-run",
  "Re-run the whole queue: like reset, recorded as `re-run` (manager)",
  RerunResultSchema,
);

const taskRerunRoute = createRoute({
  method: "post",
  path: "/projects/{projectId}/queues/{queueId}/tasks/{taskId}/re-run",
  tags,
  middleware,
  summary: "Re-run one task of the queue: pending, clean pull state, pullable again (manager)",
  request: { params: QueueTaskParams },
  responses: {
    200: jsonResponse(TaskRerunResultSchema, "The re-run task"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

export const queueOperationRoutes = createRouter();

for (const [route, operation] of [
  [resetRoute, "reset"],
  [resetErrorRoute, "reset-error"],
] as const) {
  queueOperationRoutes.openapi(route, async (c) => {
    const { projectId, queueId } = c.req.valid("param");
    const actor = clientIdentity(c.req.raw.headers, c.var.principal);
    await requireScope(c.var.db, { projectId, queueId });

    const now = Date.now();
    const only = operation === "reset-error" ? eq(tasks.status, "error") : undefined;
    const count = await resetQueueTasks(
      c.var.db,
      { projectId, queueId, only },
      operation,
      actor,
      now,
    );

    const data = { queue_id: queueId, reset_tasks_count: count, reset_at: iso(now) as string };
    return ok(c, data, `Queue ${operation} done`);
  });
}

queueOperationRoutes.openapi(rerunRoute, async (c) => {
  const { projectId, queueId } = c.req.valid("param");
  const actor = clientIdentity(c.req.raw.headers, c.var.principal);
  await requireScope(c.var.db, { projectId, queueId });

  const now = Date.now();
  const count = await resetQueueTasks(c.var.db, { projectId, queueId }, "re-run", actor, now);

  const data = { queue_id: queueId, rerun_tasks_count: count, rerun_at: iso(now) as string };
  return ok(c, data, "Queue re-run started");
});

queueOperationRoutes.openapi(taskRerunRoute, async (c) => {
  const { projectId, queueId, taskId } = c.req.valid("param");
  const actor = clientIdentity(c.req.raw.headers, c.var.principal);
  await requireTask(c.var.db, projectId, taskId, queueId);

  const now = Date.now();
  await rerunQueueTask(c.var.db, { projectId, queueId, taskId }, actor, now);

  return ok(c, { task_id: taskId, rerun_at: iso(now) as string }, "Task re-run started");
});
