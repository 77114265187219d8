import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { clientIdentity } from "../auth/authenticate";
import { requireRole } from "../auth/require-role";
import { requireScope } from "../db/lookups";
import { ok } from "../http/envelope";
import { createRouter } from "../http/router";
import { extendLease } from "../pull/extend";
import { type Releaser, releaseTask, releaseTasks } from "../pull/release";
import { resetPull } from "../pull/reset";
import { LeaseSecondsSchema } from "../pull/schemas";
import {
  COMMON_ERRORS,
  CONFLICT,
  IdSchema,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  ProjectParams,
  TaskParams,
} from "../schemas/common";
import { iso } from "../schemas/task";

const tags = ["pull"];
const LeaseIdSchema = z.string().min(1).max(64).openapi({ example: "4f0c1e2a-…" });

const releaseOne = createRoute({
  method: "post",
  path: "/projects/{projectId}/tasks/{taskId}/pull/release",
  tags,
  summary: "Release a claim (idempotent; fenced by lease_id when given)",
  request: {
    params: TaskParams,
    body: jsonBody(z.object({ lease_id: LeaseIdSchema.optional() }).strict()),
  },
  responses: {
    200: jsonResponse(
      z.object({
        task_id: z.string(),
        released: z.boolean(),
        released_at: z.string().optional(),
      }),
      "released: true if this call ended a lease, false if there was none to end",
    ),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
    ...CONFLICT,
  },
});

const releaseMany = createRoute({
  method: "post",
  path: "/projects/{projectId}/tasks/pull/release/batch",
  tags,
  summary: "Release up to 100 claims",
  request: {
    params: ProjectParams,
    body: jsonBody(
      z
        .object({ taskIds: z.array(IdSchema).min(1).max(100) })
        .strict()
        .openapi({ example: { taskIds: ["task-001", "task-002", "task-003"] } }),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        released_count: z.number().int(),
        failed_count: z.number().int(),
        released: z.array(z.string()),
        failed_tasks: z.array(
          z.object({
            task_id: z.string(),
            reason: z.enum(["NOT_FOUND", "NOT_PULLED", "FORBIDDEN"]),
          }),
        ),
      }),
      "Which ids were released, and why the others were not",
    ),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

const extend = createRoute({
  method: "post",
  path: "/projects/{projectId}/tasks/{taskId}/pull/extend",
  tags,
  summary: "Heartbeat: push a live lease's expiry out (capped by MAX_LEASE_SECONDS)",
  request: {
    params: TaskParams,
    body: jsonBody(
      z.object({ lease_id: LeaseIdSchema, lease_seconds: LeaseSecondsSchema.optional() }).strict(),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({ task_id: z.string(), lease_id: z.string(), lease_expires_at: z.string() }),
      "The new expiry",
    ),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
    ...CONFLICT,
  },
});

const reset = createRoute({
  method: "post",
  path: "/projects/{projectId}/tasks/{taskId}/pull/reset",
  tags,
  summary: "Clear a task's pull state, whatever it is (manager)",
  middleware: requireRole("manager"),
  request: { params: TaskParams },
  responses: {
    200: jsonResponse(
      z.object({
        task_id: z.string(),
        reset: z.literal(true),
        was_held: z.boolean(),
        reset_at: z.string(),
      }),
      "The task is pullable again if otherwise eligible",
    ),
    ...COMMON_ERRORS,
    ...NOT_FOUND,
  },
});

function releaser(c: Context<AppEnv>): Releaser {
  const principal = c.var.principal;
  return { principal, identity: clientIdentity(c.req.raw.headers, principal), now: Date.now() };
}

export const pullLeaseRoutes = createRouter();

pullLeaseRoutes.openapi(releaseOne, async (c) => {
  const { projectId, taskId } = c.req.valid("param");
  const { lease_id: leaseId } = c.req.valid("json");
  const by = releaser(c);

  const { released } = await releaseTask(c.var.db, { projectId, taskId, leaseId }, by);
  if (!released) return ok(c, { task_id: taskId, released }, "Task was not held");
  return ok(c, { task_id: taskId, released, released_at: iso(by.now) as string }, "Released");
});

pullLeaseRoutes.openapi(releaseMany, async (c) => {
  const { projectId } = c.req.valid("param");
  const { taskIds } = c.req.valid("json");

  await requireScope(c.var.db, { projectId });
  const { released, failed } = await releaseTasks(c.var.db, { projectId, taskIds }, releaser(c));
  return ok(
    c,
    {
      released_count: released.length,
      failed_count: failed.length,
      released,
      failed_tasks: failed,
    },
    `Released ${released.length} task(s)`,
  );
});

pullLeaseRoutes.openapi(extend, async (c) => {
  const { projectId, taskId } = c.req.valid("param");
  const { lease_id: leaseId, lease_seconds: seconds } = c.req.valid("json");

  const target = { projectId, taskId, leaseId, seconds };
  const { leaseExpiresAt } = await extendLease(c.var.db, c.var.config, target, Date.now());
  const data = {
    task_id: taskId,
    lease_id: leaseId,
    lease_expires_at: iso(leaseExpiresAt) as string,
  };
  return ok(c, data, "Lease extended");
});

pullLeaseRoutes.openapi(reset, async (c) => {
  const { projectId, taskId } = c.req.valid("param");
  const by = { identity: clientIdentity(c.req.raw.headers, c.var.principal), now: Date.now() };

  const { wasHeld } = await resetPull(c.var.db, { projectId, taskId }, by);
  const data = {
    task_id: taskId,
    reset: true as const,
    was_held: wasHeld,
    reset_at: iso(by.now) as string,
  };
  return ok(c, data, "Pull state reset");
});
