import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, seedTasks } from "../helpers";

const PULLERS = 32;
const LIMITS = [1, 3, 7, 10, 25];

/** Pulls until the queue answers empty; returns every task id this puller was given. */
async function drain(project: string, key: string, puller: number): Promise<string[]> {
  const limit = LIMITS[puller % LIMITS.length];
  const got: string[] = [];
  for (;;) {
    const res = await call("GET", `/projects/${project}/queues/work/tasks/pull?limit=${limit}`, {
      key,
      headers: { "X-Client-Id": `puller-${puller}` },
    });
    expect(res.status).toBe(200);
    if (res.body.data.pulled_count === 0) return got;
    got.push(...res.body.data.tasks.map((t: any) => t.task_id));
  }
}

async function drainConcurrently(project: string) {
  const { key } = await createKey("client");
  const perPuller = await Promise.all(
    Array.from({ length: PULLERS }, (_, i) => drain(project, key, i)),
  );
  const delivered = perPuller.flat();
  return { delivered, unique: new Set(delivered) };
}

describe("concurrent pulls", () => {
  it("delivers each of 500 tasks exactly once to 32 concurrent pullers", async () => {
    const project = "race";
    const taskIds = Array.from({ length: 500 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    await seedTasks(taskIds.map((taskId) => ({ projectId: project, queueId: "work", taskId })));

    const { delivered, unique } = await drainConcurrently(project);

    const duplicates = delivered.length - unique.size;
    const lost = taskIds.filter((id) => !unique.has(id)).length;
    console.info(JSON.stringify({ tasks: 500, pullers: PULLERS, duplicates, lost }));
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect(unique.size).toBe(500);

    const events = await env.DB.prepare(
      `SELECT count(*) AS n, count(DISTINCT task_row_id) AS tasks FROM pull_events
       WHERE project_id = ?`,
    )
      .bind(project)
      .first();
    expect(events).toEqual({ n: 500, tasks: 500 });
  });

  it("also delivers expired leases exactly once and never a live one", async () => {
    const project = "race-leases";
    const now = Date.now();
    const taskIds = Array.from({ length: 500 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    await seedTasks(taskIds.map((taskId) => ({ projectId: project, queueId: "work", taskId })));
    // 150 tasks hold expired leases, 50 hold live ones; each has its open pull event.
    await env.DB.batch([
      env.DB.prepare(
        `UPDATE tasks SET pulled_at = ?, pulled_by = 'gone', lease_id = 'expired-' || task_id,
           lease_expires_at = ? WHERE project_id = ? AND task_id < 't150'`,
      ).bind(now - 120_000, now - 60_000, project),
      env.DB.prepare(
        `UPDATE tasks SET pulled_at = ?, pulled_by = 'busy', lease_id = 'live-' || task_id,
           lease_expires_at = ? WHERE project_id = ? AND task_id >= 't450'`,
      ).bind(now, now + 600_000, project),
      env.DB.prepare(
        `INSERT INTO pull_events (task_row_id, project_id, queue_id, task_id, lease_id, pulled_at,
           pulled_by, lease_expires_at)
         SELECT id, project_id, queue_id, task_id, lease_id, pulled_at, pulled_by, lease_expires_at
         FROM tasks WHERE project_id = ? AND lease_id IS NOT NULL`,
      ).bind(project),
    ]);

    const { delivered, unique } = await drainConcurrently(project);

    const expected = taskIds.filter((id) => id < "t450");
    const duplicates = delivered.length - unique.size;
    const lost = expected.filter((id) => !unique.has(id)).length;
    console.info(
      JSON.stringify({ tasks: 450, expiredLeases: 150, pullers: PULLERS, duplicates, lost }),
    );
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect([...unique].filter((id) => id >= "t450")).toEqual([]);

    const outcomes = await env.DB.prepare(
      `SELECT outcome, count(*) AS n FROM pull_events WHERE project_id = ?
       GROUP BY outcome ORDER BY outcome`,
    )
      .bind(project)
      .all();
    // 50 live + 450 new claims are open (outcome NULL); the 150 expired closed as timeouts.
    expect(outcomes.results).toEqual([
      { outcome: null, n: 500 },
      { outcome: "timeout", n: 150 },
    ]);
  });
});
