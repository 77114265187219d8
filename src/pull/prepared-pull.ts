import { fillPlaceholders, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { TaskRow } from "../db/schema";
import {
  assertScopeFound,
  byClaimOrder,
  type ClaimScope,
  type Lease,
  type PullParams,
  pullStatements,
} from "./claim";
import { type FilterValues, filterValues, type PullFilters } from "./filters";

/**
 * A pull's statements (`pullStatements` in ./claim.ts), rendered by Drizzle once per shape and
 * reused. Their SQL text depends only on the shape, that is the scope's kind and which filters
 * are present; every value is a named placeholder bound per request. Building the five
 * statements with Drizzle took a seventh of a pull's CPU time (README, Performance).
 */

export type PullRequest = { scope: ClaimScope; filters: PullFilters; limit: number; lease: Lease };

type ScopeKind = "queue" | "project-level" | "whole-project";

type Prepared = ReturnType<ReturnType<typeof pullStatements>[number]["prepare"]>;

/** One shape's statements, ready to bind: the SQL, its parameters, and the row mappers. */
type PreparedPull = {
  statements: { query: ReturnType<Prepared["getQuery"]>; d1: D1PreparedStatement }[];
  scopeCheck: Prepared;
  claim: Prepared;
};

const placeholder = (name: string) => sql.placeholder(name);

function scopeKind(scope: ClaimScope): ScopeKind {
  if (scope.queueId === undefined) return "whole-project";
  return scope.queueId === null ? "project-level" : "queue";
}

/** The statements of one shape, with a placeholder where each request's values go. */
function prepare(db: Db, kind: ScopeKind, filterNames: (keyof FilterValues)[]): PreparedPull {
  const queueId = {
    queue: placeholder("queueId"),
    "project-level": null,
    "whole-project": undefined,
  };
  const params: PullParams = {
    scope: { projectId: placeholder("projectId"), queueId: queueId[kind] },
    filters: Object.fromEntries(filterNames.map((name) => [name, placeholder(name)])),
    limit: placeholder("limit"),
    lease: {
      leaseId: placeholder("leaseId"),
      pulledBy: placeholder("pulledBy"),
      keyId: placeholder("keyId"),
      now: placeholder("now"),
      expiresAt: placeholder("expiresAt"),
    },
  };

  const prepared = pullStatements(db, params).map((statement) => statement.prepare());
  const [scopeCheck, , , claim] = prepared;
  if (!scopeCheck || !claim) throw new Error("pullStatements changed shape");
  return {
    statements: prepared.map((statement) => {
      const query = statement.getQuery();
      return { query, d1: db.$client.prepare(query.sql) };
    }),
    scopeCheck,
    claim,
  };
}

const preparedByDb = new WeakMap<Db, Map<string, PreparedPull>>();

function preparedFor(db: Db, kind: ScopeKind, filterNames: (keyof FilterValues)[]): PreparedPull {
  let byShape = preparedByDb.get(db);
  if (!byShape) {
    byShape = new Map();
    preparedByDb.set(db, byShape);
  }
  const shape = `${kind}:${filterNames.join(",")}`;
  let prepared = byShape.get(shape);
  if (!prepared) {
    prepared = prepare(db, kind, filterNames);
    byShape.set(shape, prepared);
  }
  return prepared;
}

/**
 * Runs one pull's statements in one D1 batch. Returns the scope check's rows and the claimed
 * tasks, mapped by Drizzle exactly as `db.batch` would.
 */
async function runPull(
  db: Db,
  request: PullRequest,
): Promise<{ found: { queue: number }[]; claimed: TaskRow[] }> {
  const filters = filterValues(request.filters);
  const filterNames = (Object.keys(filters) as (keyof FilterValues)[]).sort();
  const prepared = preparedFor(db, scopeKind(request.scope), filterNames);

  const values = {
    ...filters,
    ...request.lease,
    projectId: request.scope.projectId,
    queueId: request.scope.queueId,
    limit: request.limit,
  };
  const results = await db.$client.batch(
    prepared.statements.map(({ query, d1 }) => d1.bind(...fillPlaceholders(query.params, values))),
  );

  // The mappers return what the builders' own `db.batch` results would be typed as.
  const found = prepared.scopeCheck.mapAllResult(results[0], true) as { queue: number }[];
  const claimed = prepared.claim.mapAllResult(results[3], true) as TaskRow[];
  return { found, claimed };
}

/** Runs the claim and returns the claimed tasks in claim order. */
export async function claimTasks(db: Db, request: PullRequest): Promise<TaskRow[]> {
  const { found, claimed } = await runPull(db, request);
  assertScopeFound(found, request.scope);
  return claimed.sort(byClaimOrder);
}
