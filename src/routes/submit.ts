import { createRoute } from "@hono/zod-openapi";
import { clientIdentity } from "../auth/authenticate";
import { assertProjectAccess } from "../auth/principal";
import { ok } from "../http/envelope";
import { createRouter } from "../http/router";
import { COMMON_ERRORS, CONFLICT, ErrorSchema, jsonBody, jsonResponse } from "../schemas/common";
import { assertLeasesHeld, assertNewIdsAllowed } from "../submit/guards";
import { loadSubmitState } from "../submit/load";
import { SubmitBodySchema, SubmitResultSchema } from "../submit/schema";
import { writeSubmit } from "../submit/write";

const submit = createRoute({
  method: "post",
  path: "/submit",
  tags: ["submit"],
  summary: "Push a queue's task list: create or update the project, the queue and each task",
  description:
    "Upserts every task by (project_id, id) in one transaction. A server task closes its pull " +
    "(outcome `submitted`) and is marked pushed. Client tasks of the queue missing from the " +
    "list are soft-deleted (the queue mirrors the client). A `lease_id` that is no longer the " +
    "task's live lease rejects the whole submit with 409 and writes nothing.",
  request: { body: jsonBody(SubmitBodySchema) },
  responses: {
    200: jsonResponse(SubmitResultSchema, "What the submit wrote"),
    ...COMMON_ERRORS,
    ...CONFLICT,
    413: {
      description: "Body over 5 MB",
      content: { "application/json": { schema: ErrorSchema } },
    },
  },
});

export const submitRoutes = createRouter();

submitRoutes.openapi(submit, async (c) => {
  const body = c.req.valid("json");
  const principal = c.var.principal;
  assertProjectAccess(principal, body.project_id);
  const actor = clientIdentity(c.req.raw.headers, principal);
  const now = Date.now();

  const state = await loadSubmitState(c.var.db, body);

  assertNewIdsAllowed(body, state);
  assertLeasesHeld(body, state, now);

  const result = await writeSubmit(c.var.db, body, state, actor, now);
  return ok(c, result, `Submitted ${result.tasks_count} tasks`, 200);
});
