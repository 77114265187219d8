import { createRoute, z } from "@hono/zod-openapi";
import { PULL_OUTCOMES } from "../db/schema";
import { ok } from "../http/envelope";
import { createRouter } from "../http/router";
import { IsoMsSchema } from "../pull/filters";
import { pullHistory } from "../pull/history";
import { pendingPulls } from "../pull/pending";
import { pullStats } from "../pull/stats";
import {
  COMMON_ERRORS,
  IdSchema,
  jsonResponse,
  NOT_FOUND,
  ProjectParams,
  TaskParams,
} from "../schemas/common";

const tags = ["pull reports"];
const Time = z.string().openapi({ example: "2024-01-01T01:00:00.000Z" });

const history = createRoute({
  method: "get",
  path: "/projects/{projectId}/tasks/{taskId}/pull/history",
  tags,
  summary: "Every claim of a task, oldest first",
  request: { params: TaskParams },
  responses: {
    200: jsonResponse(
      z.object({
        task_id: z.string(),
        current_pull: z
          .object({
            lease_id: z.string(),
            pulled_at: Time,
            pulled_by: z.string(),
            lease_expires_at: Time,
          })
          .nullable(),
        pull_history: z.array(
          z.object({
            lease_id: z.string(),
            pulled_at: Time,
            pulled_by: z.string(),
            lease_expires_at: Time,
            released_at: Time.nullable(),
            released_by: z.string().nullable(),
            outcome: z.enum(PULL_OUTCOMES).nullable(),
          }),
        ),
        total_pulls: z.number().int(),
      }),
      "The task's pull history",
    ),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const stats = createRoute({
  method: "get",
  path: "/projects/{projectId}/tasks/pull/stats",
  tags,
  summary: "Pull statistics of a project or one queue",
  request: {
    params: ProjectParams,
    query: z.object({ queue_id: IdSchema.optional(), since: IsoMsSchema.optional() }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        total_server_tasks: z.number().int(),
        not_pulled: z.number().int(),
        pulled: z.number().int(),
        pulled_not_pushed: z.number().int(),
        pull_success_rate: z.number().nullable().openapi({ example: 95.5 }),
        average_pull_duration: z.number().nullable().openapi({ description: "Seconds" }),
        timed_out: z.number().int(),
        released: z.number().int(),
        oldest_pullable_age_seconds: z.number().int().nullable(),
      }),
      "Figures; rates and durations are null until a pull has finished",
    ),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const pending = createRoute({
  method: "get",
  path: "/projects/{projectId}/tasks/pull/pending",
  tags,
  summary: "Claims held and not pushed for at least `timeout` seconds",
  request: {
    params: ProjectParams,
    query: z.object({
      timeout: z.coerce.number().int("must be an integer").min(0).max(31_536_000).optional(),
      queue_id: IdSchema.optional(),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        tasks: z.array(
          z.object({
            task_id: z.string(),
            name: z.string(),
            status: z.string(),
            queue_id: z.string().nullable(),
            pulled_at: Time,
            pulled_by: z.string().nullable(),
            lease_expires_at: Time.nullable(),
            held_seconds: z.number().int(),
          }),
        ),
        total: z.number().int(),
      }),
      "Overdue claims, oldest first (at most 1000 listed; total counts all)",
    ),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

export const pullReportRoutes = createRouter();

pullReportRoutes.openapi(history, async (c) => {
  const { projectId, taskId } = c.req.valid("param");
  return ok(c, await pullHistory(c.var.db, projectId, taskId, Date.now()));
});

pullReportRoutes.openapi(stats, async (c) => {
  const { projectId } = c.req.valid("param");
  const { queue_id: queueId, since } = c.req.valid("query");

  return ok(c, await pullStats(c.var.db, { projectId, queueId, since }, Date.now()));
});

pullReportRoutes.openapi(pending, async (c) => {
  const { projectId } = c.req.valid("param");
  const { timeout, queue_id: queueId } = c.req.valid("query");

  const timeoutSeconds = timeout ?? c.var.config.pullTimeoutSeconds;
  return ok(c, await pendingPulls(c.var.db, { projectId, queueId, timeoutSeconds }, Date.now()));
});
