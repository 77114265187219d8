import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import type { Scope } from "../../src/db/lookups";
import { claimStatements } from "../../src/pull/claim";
import { filterValues, type PullFilters } from "../../src/pull/filters";
import { seedTasks } from "../helpers";

async function planOf(scope: Scope, filters: PullFilters = {}) {
  const db = createDb(env.DB);
  const lease = { leaseId: "plan", pulledBy: "plan", keyId: "plan", now: Date.now(), expiresAt: 1 };
  const statements = claimStatements(db, {
    scope,
    filters: filterValues(filters),
    limit: 10,
    lease,
  });
  const plans: string[][] = [];
  for (const statement of statements) {
    const { sql, params } = statement.toSQL();
    const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    plans.push(rows.results.map((row) => row.detail));
  }
  return plans;
}

describe("claim query plan", () => {
  beforeAll(async () => {
    // Enough rows, in queues and outside, that the planner's choice reflects a real table.
    const queues = ["q", "r", null];
    await seedTasks(
      Array.from({ length: 3000 }, (_, i) => ({
        projectId: i % 2 === 0 ? "p" : "other",
        queueId: queues[i % 3],
        taskId: `t${i}`,
        priorityRank: i % 11,
      })),
    );
  });

  for (const [label, scope, index] of [
    ["a queue", { projectId: "p", queueId: "q" }, "tasks_claimable_queue_idx"],
    ["project-level tasks", { projectId: "p", queueId: null }, "tasks_claimable_queue_idx"],
    ["the whole project", { projectId: "p" }, "tasks_claimable_project_idx"],
  ] as const) {
    it(`searches ${index} in claim order for ${label}, and never scans tasks`, async () => {
      const [closeExpired, clearExpired, claim, record] = await planOf(scope);

      console.info(JSON.stringify({ scope: label, closeExpired, clearExpired, claim, record }));
      const claimPlan = claim?.join("\n") ?? "";
      expect(claimPlan).toContain(`SEARCH tasks USING INDEX ${index}`);
      expect(claimPlan).not.toContain("USE TEMP B-TREE FOR ORDER BY");
      for (const plan of [closeExpired, clearExpired, claim, record]) {
        expect(plan?.some((detail) => /^SCAN tasks\b/.test(detail))).toBe(false);
      }
      expect(clearExpired?.join("\n")).toContain("tasks_held_scope_idx");
      expect(record?.join("\n")).toContain("tasks_lease_idx");
    });
  }

  it("still searches the index with every filter applied", async () => {
    const [, , claim] = await planOf(
      { projectId: "p", queueId: "q" },
      { status: "pending", priority: "high", tags: ["a"], since: 1, created_after: 1 },
    );
    expect(claim?.join("\n")).toContain("SEARCH tasks USING INDEX tasks_claimable_queue_idx");
    expect(claim?.some((detail) => /^SCAN tasks\b/.test(detail))).toBe(false);
  });
});
