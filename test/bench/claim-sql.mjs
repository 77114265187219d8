import { tsImport } from "tsx/esm/api";

// The storage-limit run and the platform probe execute the Worker's own pull SQL, rendered from
// src/pull/claim.ts by Drizzle, never a copy: if the claim changes, both change with it. The
// statements are rendered once per limit with sentinel lease values, then re-bound with fresh
// values per claim.

export const SENTINEL = {
  now: 1_111_111_111_111,
  expiresAt: 2_222_222_222_222,
  leaseId: "bench-sentinel-lease",
};

const load = (path) => tsImport(path, import.meta.url);

/**
 * The statements of one pull as `claimTasks` batches them (scope check, free expired leases,
 * claim, record events), and the claim alone, each as `{sql, params, bind(lease)}`; `bind`
 * substitutes a fresh lease's values.
 */
export async function renderPullStatements(projectId, queueId, limit) {
  const { pullStatements } = await load("../../src/pull/claim.ts");
  const { createDb } = await load("../../src/db/client.ts");

  // Rendering only: Drizzle needs a D1 object to build a query, never to print one.
  const db = createDb({});
  const lease = { ...SENTINEL, pulledBy: "bench-storage", keyId: "bench-storage" };
  const statements = pullStatements(db, {
    scope: { projectId, queueId },
    filters: {},
    limit,
    lease,
  });

  const rendered = statements.map((statement) => {
    const { sql, params } = statement.toSQL();
    const bind = (fresh) =>
      params.map((value) => {
        if (value === SENTINEL.now) return fresh.now;
        if (value === SENTINEL.expiresAt) return fresh.expiresAt;
        if (value === SENTINEL.leaseId) return fresh.leaseId;
        return value;
      });
    return { sql, params, bind };
  });
  // The claim itself is the one statement that returns rows: `UPDATE … RETURNING`.
  const claimIndex = rendered.findIndex((statement) => /\breturning\b/i.test(statement.sql));
  if (claimIndex < 0) throw new Error("No RETURNING statement among the pull's statements");
  return { all: rendered, claim: rendered[claimIndex], claimIndex };
}
