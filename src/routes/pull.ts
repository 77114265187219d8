import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { Scope } from "../db/lookups";
import { ok } from "../http/envelope";
import { invalid } from "../http/errors";
import { createRouter } from "../http/router";
import { BATCH_FAILURE_REASONS, claimByIds } from "../pull/claim-by-ids";
import { PullFilterQuery } from "../pull/filters";
import { newLease, pullLimit } from "../pull/lease";
import { claimTasks } from "../pull/prepared-pull";
import { LeaseSecondsSchema, LimitSchema, PullResultSchema, toPullResult } from "../pull/schemas";
import {
  COMMON_ERRORS,
  IdSchema,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  PrioritySchema,
  ProjectParams,
  QueueParams,
  StatusSchema,
} from "../schemas/common";

const tags = ["pull"];

const ClaimQuery = PullFilterQuery.extend({
  limit: LimitSchema.optional().openapi({ example: 10 }),
  lease_seconds: LeaseSecondsSchema.optional().openapi({ example: 3600 }),
});

const ClientIdHeader = z.object({
  "x-client-id": z
    .string()
    .optional()
    .openapi({ description: "Who pulls (1–128 printable characters); else the key's name" }),
});

const pullProjectTasks = createRoute({
  method: "get",
  path: "/projects/{projectId}/tasks/pull",
  tags,
  summary: "Claim project-level server tasks (scope=all: anywhere in the project)",
  description:
    "Atomically claims up to `limit` pullable tasks in priority order under one fresh lease. " +
    "No two callers ever receive the same task while its lease lives.",
  request: {
    params: ProjectParams,
    query: ClaimQuery.extend({
      scope: z.enum(["project", "all"]).optional().openapi({
        description: "`project` (default): tasks outside any queue; `all`: the whole project",
      }),
    }),
    headers: ClientIdHeader,
  },
  responses: {
    200: jsonResponse(PullResultSchema, "The claimed tasks, in claim order"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const pullQueueTasks = createRoute({
  method: "get",
  path: "/projects/{projectId}/queues/{queueId}/tasks/pull",
  tags,
  summary: "Claim server tasks of one queue",
  request: { params: QueueParams, query: ClaimQuery, headers: ClientIdHeader },
  responses: {
    200: jsonResponse(PullResultSchema, "The claimed tasks, in claim order"),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const BatchFilters = z
  .object({
    status: StatusSchema.optional(),
    priority: PrioritySchema.optional(),
    tags: z.array(z.string().max(255)).max(50).optional(),
    queue_id: IdSchema.nullable().optional(),
    limit: LimitSchema.optional(),
  })
  .strict();

const BatchPullBody = z
  .object({
    taskIds: z.array(IdSchema).min(1).max(100).optional(),
    task_ids: z.array(IdSchema).min(1).max(100).optional(),
    filters: BatchFilters.optional(),
    limit: LimitSchema.optional(),
    lease_seconds: LeaseSecondsSchema.optional(),
  })
  .strict()
  .refine((body) => !(body.taskIds && body.task_ids), {
    message: "send taskIds or task_ids, not both",
    path: ["task_ids"],
  })
  .openapi({ example: { filters: { status: "pending", limit: 20 } } });

const batchPull = createRoute({
  method: "post",
  path: "/projects/{projectId}/tasks/pull/batch",
  tags,
  summary: "Claim by ids or by filters, across project-level and queue tasks",
  request: { params: ProjectParams, body: jsonBody(BatchPullBody), headers: ClientIdHeader },
  responses: {
    200: jsonResponse(
      PullResultSchema.extend({
        failed: z.array(z.object({ task_id: z.string(), reason: z.enum(BATCH_FAILURE_REASONS) })),
      }),
      "The claimed tasks, and a precise reason for every requested id not claimed",
    ),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

function leaseFor(c: Context<AppEnv>, seconds: number | undefined) {
  return newLease(c.var.config, c.var.principal, c.req.raw.headers, seconds);
}

export const pullRoutes = createRouter();

/** A claim as the two GET pull routes ask for it: their query, in one scope. */
async function claimForQuery(c: Context<AppEnv>, scope: Scope, query: z.output<typeof ClaimQuery>) {
  const { limit, lease_seconds, ...filters } = query;
  const lease = leaseFor(c, lease_seconds);
  const count = pullLimit(c.var.config, limit);

  const claimed = await claimTasks(c.var.db, { scope, filters, limit: count, lease });
  return toPullResult(claimed, lease);
}

pullRoutes.openapi(pullProjectTasks, async (c) => {
  const { projectId } = c.req.valid("param");
  const { scope, ...query } = c.req.valid("query");

  const queueId = scope === "all" ? undefined : null;
  const data = await claimForQuery(c, { projectId, queueId }, query);
  return ok(c, data, `Pulled ${data.pulled_count} task(s)`);
});

pullRoutes.openapi(pullQueueTasks, async (c) => {
  const { projectId, queueId } = c.req.valid("param");

  const data = await claimForQuery(c, { projectId, queueId }, c.req.valid("query"));
  return ok(c, data, `Pulled ${data.pulled_count} task(s)`);
});

pullRoutes.openapi(batchPull, async (c) => {
  const { projectId } = c.req.valid("param");
  const body = c.req.valid("json");
  const { queue_id: queueId, limit: filterLimit, tags, ...rest } = body.filters ?? {};
  const filters = { ...rest, tags: tags?.map((tag) => tag.toLowerCase()) };
  const taskIds = body.taskIds ?? body.task_ids;
  if (filterLimit !== undefined && body.limit !== undefined && filterLimit !== body.limit) {
    throw invalid("limit", "differs from filters.limit; send one");
  }
  const lease = leaseFor(c, body.lease_seconds);
  const requestedLimit = filterLimit ?? body.limit;

  if (!taskIds) {
    const limit = pullLimit(c.var.config, requestedLimit);
    const claimed = await claimTasks(c.var.db, {
      scope: { projectId, queueId },
      filters,
      limit,
      lease,
    });
    return ok(c, { ...toPullResult(claimed, lease), failed: [] }, `Pulled ${claimed.length}`);
  }

  // Without a limit, as many as were asked for, up to MAX_PULL_LIMIT; the rest LIMIT_REACHED.
  const limit = pullLimit(
    c.var.config,
    requestedLimit ?? Math.min(taskIds.length, c.var.config.maxPullLimit),
  );
  const { claimed, failed } = await claimByIds(c.var.db, {
    projectId,
    taskIds,
    queueId,
    filters,
    limit,
    lease,
  });
  return ok(c, { ...toPullResult(claimed, lease), failed }, `Pulled ${claimed.length}`);
});
