import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { assertScopeFound, type Scope } from "../db/lookups";
import { preparedBatch, runPreparedBatch } from "../db/prepared-batch";
import type { TaskRow } from "../db/schema";
import { byClaimOrder, type Lease, type LeaseParams, pullStatements } from "./claim";
import { type FilterParams, type FilterValues, filterValues, type PullFilters } from "./filters";

// A pull's statements (`pullStatements` in ./claim.ts), prepared once per shape: the scope's
// kind and which filters are present. Every value is a named placeholder bound per pull.

export type PullRequest = { scope: Scope; filters: PullFilters; limit: number; lease: Lease };

/** The lease of a prepared statement: a placeholder for each field, named after it. */
export const LEASE_PLACEHOLDERS: LeaseParams = {
  leaseId: sql.placeholder("leaseId"),
  pulledBy: sql.placeholder("pulledBy"),
  keyId: sql.placeholder("keyId"),
  now: sql.placeholder("now"),
  expiresAt: sql.placeholder("expiresAt"),
};

/** A placeholder for each present filter, and the sorted names that belong in a shape. */
export function filterPlaceholders(values: FilterValues): { params: FilterParams; names: string } {
  const names = Object.keys(values).sort();
  return {
    params: Object.fromEntries(names.map((name) => [name, sql.placeholder(name)])),
    names: names.join(","),
  };
}

/**
 * A queue choice as a shape and a parameter: a queue id becomes a placeholder, while `null`
 * (project level) and `undefined` (any) change the SQL text itself.
 */
export function queuePlaceholder(queueId: string | null | undefined) {
  if (queueId === undefined) return { kind: "any-queue", param: undefined };
  if (queueId === null) return { kind: "project-level", param: null };
  return { kind: "queue", param: sql.placeholder("queueId") };
}

/** Runs the claim and returns the claimed tasks in claim order. */
export async function claimTasks(db: Db, request: PullRequest): Promise<TaskRow[]> {
  const queue = queuePlaceholder(request.scope.queueId);
  const filters = filterValues(request.filters);
  const slots = filterPlaceholders(filters);

  const batch = preparedBatch(db, `pull:${queue.kind}:${slots.names}`, () =>
    pullStatements(db, {
      scope: { projectId: sql.placeholder("projectId"), queueId: queue.param },
      filters: slots.params,
      limit: sql.placeholder("limit"),
      lease: LEASE_PLACEHOLDERS,
    }),
  );
  const results = await runPreparedBatch(db, batch, {
    ...filters,
    ...request.lease,
    projectId: request.scope.projectId,
    queueId: request.scope.queueId,
    limit: request.limit,
  });

  // pullStatements: scope check, close expired events, clear expired leases, claim, events.
  assertScopeFound(results.rows<{ queue: number }>(0), request.scope);
  return results.rows<TaskRow>(3).sort(byClaimOrder);
}
