import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { closeExpiredLeases, expireLeases, selectExpiredLeases } from "../src/cron/expire-leases";
import { createDb } from "../src/db/client";
import worker from "../src/index";
import { seedTasks } from "./helpers";

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const MINUTE = 60_000;
const PROJECT = "cron";

type Hold = { leaseId: string; pulledAt?: number; expiresAt: number };

/** Puts each task under a lease with its open pull event, as a pull would have left it. */
async function holdLeases(taskIds: string[], hold: Hold): Promise<void> {
  const ids = JSON.stringify(taskIds);
  const pulledAt = hold.pulledAt ?? hold.expiresAt - 60 * MINUTE;
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE tasks SET pulled_at = ?, pulled_by = 'worker-1', pulled_by_key_id = 'key_worker',
         lease_id = ?, lease_expires_at = ?, pull_count = pull_count + 1
       WHERE project_id = ? AND task_id IN (SELECT value FROM json_each(?))`,
    ).bind(pulledAt, hold.leaseId, hold.expiresAt, PROJECT, ids),
    env.DB.prepare(
      `INSERT INTO pull_events (task_row_id, project_id, queue_id, task_id, lease_id, pulled_at,
         pulled_by, key_id, lease_expires_at)
       SELECT id, project_id, queue_id, task_id, lease_id, pulled_at, pulled_by,
         pulled_by_key_id, lease_expires_at
       FROM tasks WHERE project_id = ? AND task_id IN (SELECT value FROM json_each(?))`,
    ).bind(PROJECT, ids),
  ]);
}

/** What a claim does first to a task whose lease ran out: close its open event. */
async function closeOpenEvents(): Promise<void> {
  await env.DB.prepare(
    `UPDATE pull_events SET ended_at = lease_expires_at, ended_by = 'system:timeout',
       outcome = 'timeout'
     WHERE ended_at IS NULL`,
  ).run();
}

async function seedHeld(count: number, hold: Hold, prefix = "t"): Promise<string[]> {
  const taskIds = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  await seedTasks(taskIds.map((taskId) => ({ projectId: PROJECT, taskId })));
  await holdLeases(taskIds, hold);
  return taskIds;
}

async function taskRow(taskId: string) {
  return env.DB.prepare(
    `SELECT pulled_at, pulled_by, pulled_by_key_id, lease_id, lease_expires_at, pushed_at,
       pull_count
     FROM tasks WHERE project_id = ? AND task_id = ?`,
  )
    .bind(PROJECT, taskId)
    .first<Record<string, unknown>>();
}

async function events(taskId: string) {
  const { results } = await env.DB.prepare(
    `SELECT lease_id, ended_at, ended_by, outcome FROM pull_events
     WHERE project_id = ? AND task_id = ? ORDER BY id`,
  )
    .bind(PROJECT, taskId)
    .all<Record<string, unknown>>();
  return results;
}

async function countHeld(): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM tasks WHERE lease_id IS NOT NULL",
  ).first<number>("n");
  return row ?? 0;
}

/** The Worker's own scheduled handler, called as the Cron Trigger calls it. */
async function runCron(scheduledTime: number): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: "* * * * *" });
  await worker.scheduled(controller, env);
}

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM pull_events"),
    env.DB.prepare("DELETE FROM tasks"),
    env.DB.prepare("DELETE FROM queues"),
    env.DB.prepare("DELETE FROM projects"),
  ]);
});

describe("lease-timeout cron", () => {
  it("closes an expired lease's event as a timeout dated at the lease's expiry", async () => {
    const [taskId] = await seedHeld(1, { leaseId: "lease-old", expiresAt: NOW - 5 * MINUTE });

    await runCron(NOW);

    expect(await events(taskId as string)).toEqual([
      {
        lease_id: "lease-old",
        ended_at: NOW - 5 * MINUTE,
        ended_by: "system:timeout",
        outcome: "timeout",
      },
    ]);
  });

  it("clears the expired task's pull state and keeps pushed_at and pull_count", async () => {
    const [taskId] = await seedHeld(1, { leaseId: "lease-old", expiresAt: NOW - MINUTE });
    await env.DB.prepare("UPDATE tasks SET pushed_at = ? WHERE task_id = ?")
      .bind(NOW - 2 * MINUTE, taskId)
      .run();

    await runCron(NOW);

    expect(await taskRow(taskId as string)).toEqual({
      pulled_at: null,
      pulled_by: null,
      pulled_by_key_id: null,
      lease_id: null,
      lease_expires_at: null,
      pushed_at: NOW - 2 * MINUTE,
      pull_count: 1,
    });
  });

  it("treats a lease that expires at the run's time as expired", async () => {
    const [taskId] = await seedHeld(1, { leaseId: "lease-edge", expiresAt: NOW });

    await runCron(NOW);

    expect((await taskRow(taskId as string))?.lease_id).toBeNull();
  });

  it("leaves live leases and their open events alone", async () => {
    await seedHeld(1, { leaseId: "lease-old", expiresAt: NOW - MINUTE }, "expired");
    const [liveId] = await seedHeld(1, { leaseId: "lease-live", expiresAt: NOW + 1 }, "live");

    await runCron(NOW);

    expect(await taskRow(liveId as string)).toMatchObject({
      lease_id: "lease-live",
      lease_expires_at: NOW + 1,
      pulled_by: "worker-1",
    });
    expect(await events(liveId as string)).toEqual([
      { lease_id: "lease-live", ended_at: null, ended_by: null, outcome: null },
    ]);
  });

  it("keeps the pull audit of a pushed task that holds no lease", async () => {
    const [taskId] = await seedHeld(1, { leaseId: "lease-done", expiresAt: NOW - MINUTE });
    await env.DB.prepare(
      `UPDATE tasks SET lease_id = NULL, lease_expires_at = NULL, pushed_at = ?
       WHERE task_id = ?`,
    )
      .bind(NOW - 30 * MINUTE, taskId)
      .run();

    await runCron(NOW);

    expect(await taskRow(taskId as string)).toMatchObject({
      pulled_by: "worker-1",
      pushed_at: NOW - 30 * MINUTE,
    });
  });

  it("works through a backlog of several chunks in one run", async () => {
    await seedHeld(45, { leaseId: "lease-bulk", expiresAt: NOW - MINUTE });

    const summary = await expireLeases(env, NOW, { chunkSize: 10 });

    expect(summary).toMatchObject({ expired: 45, eventsClosed: 45, chunks: 5, backlogLeft: false });
    expect(await countHeld()).toBe(0);
  });

  it("stops at its chunk budget and drains the rest on later runs", async () => {
    await seedHeld(450, { leaseId: "lease-bulk", expiresAt: NOW - MINUTE });
    const options = { chunkSize: 100, maxChunks: 2 };

    const first = await expireLeases(env, NOW, options);
    const second = await expireLeases(env, NOW + MINUTE, options);
    const third = await expireLeases(env, NOW + 2 * MINUTE, options);

    expect(first).toMatchObject({ expired: 200, chunks: 2, backlogLeft: true });
    expect(second).toMatchObject({ expired: 200, chunks: 2, backlogLeft: true });
    expect(third).toMatchObject({ expired: 50, eventsClosed: 50, chunks: 1, backlogLeft: false });
    expect(await countHeld()).toBe(0);
  });

  it("frees the oldest leases first", async () => {
    await seedHeld(1, { leaseId: "lease-newer", expiresAt: NOW - MINUTE }, "newer");
    await seedHeld(1, { leaseId: "lease-older", expiresAt: NOW - 9 * MINUTE }, "older");

    const [first] = await selectExpiredLeases(createDb(env.DB), NOW, 1);

    expect(first?.leaseId).toBe("lease-older");
  });

  it("does nothing on a second run", async () => {
    await seedHeld(3, { leaseId: "lease-old", expiresAt: NOW - MINUTE });
    await runCron(NOW);
    const before = await env.DB.prepare("SELECT * FROM pull_events ORDER BY id").all<
      Record<string, unknown>
    >();

    const summary = await expireLeases(env, NOW + MINUTE);

    const after = await env.DB.prepare("SELECT * FROM pull_events ORDER BY id").all<
      Record<string, unknown>
    >();
    expect(summary).toMatchObject({ expired: 0, eventsClosed: 0, chunks: 0 });
    expect(after.results).toEqual(before.results);
  });

  it("does not release a lease re-claimed between selection and update", async () => {
    const db = createDb(env.DB);
    const [taskId] = await seedHeld(1, { leaseId: "lease-old", expiresAt: NOW - MINUTE });
    const selected = await selectExpiredLeases(db, NOW, 200);
    // A pull claims the task in between: it closes the old event and opens its own lease.
    await closeOpenEvents();
    await holdLeases([taskId as string], { leaseId: "lease-new", expiresAt: NOW + 60 * MINUTE });

    const result = await closeExpiredLeases(db, selected, NOW);

    expect(selected).toHaveLength(1);
    expect(result).toEqual({ expired: 0, eventsClosed: 0 });
    expect(await taskRow(taskId as string)).toMatchObject({ lease_id: "lease-new" });
    expect((await events(taskId as string))[1]).toMatchObject({
      lease_id: "lease-new",
      ended_at: null,
    });
  });

  it("does not release a re-claimed lease even when the new one has run out too", async () => {
    const db = createDb(env.DB);
    const [taskId] = await seedHeld(1, { leaseId: "lease-old", expiresAt: NOW - MINUTE });
    const selected = await selectExpiredLeases(db, NOW, 200);
    await closeOpenEvents();
    await holdLeases([taskId as string], { leaseId: "lease-short", expiresAt: NOW - 1 });

    const result = await closeExpiredLeases(db, selected, NOW);

    expect(result).toEqual({ expired: 0, eventsClosed: 0 });
    expect(await taskRow(taskId as string)).toMatchObject({ lease_id: "lease-short" });
  });

  it("does not release a lease extended between selection and update", async () => {
    const db = createDb(env.DB);
    const [taskId] = await seedHeld(1, { leaseId: "lease-kept", expiresAt: NOW - MINUTE });
    const selected = await selectExpiredLeases(db, NOW, 200);
    await env.DB.batch([
      env.DB.prepare("UPDATE tasks SET lease_expires_at = ?").bind(NOW + 30 * MINUTE),
      env.DB.prepare("UPDATE pull_events SET lease_expires_at = ?").bind(NOW + 30 * MINUTE),
    ]);

    const result = await closeExpiredLeases(db, selected, NOW);

    expect(result).toEqual({ expired: 0, eventsClosed: 0 });
    expect(await taskRow(taskId as string)).toMatchObject({ lease_id: "lease-kept" });
    expect(await events(taskId as string)).toEqual([
      { lease_id: "lease-kept", ended_at: null, ended_by: null, outcome: null },
    ]);
  });

  it("finds expired leases through tasks_lease_expiry_idx", async () => {
    const { sql, params } = selectExpiredLeases(createDb(env.DB), NOW, 200).toSQL();

    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();

    expect(plan.results.map((row) => row.detail)).toEqual([
      expect.stringContaining("USING INDEX tasks_lease_expiry_idx"),
    ]);
  });

  it("logs one JSON line per run with its counts", async () => {
    await seedHeld(2, { leaseId: "lease-old", expiresAt: NOW - MINUTE });
    const info = vi.spyOn(console, "info");

    await runCron(NOW);

    const lines = info.mock.calls
      .map(([line]) => JSON.parse(String(line)))
      .filter((line) => line.event === "cron.expire_leases");
    info.mockRestore();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      expired: 2,
      eventsClosed: 2,
      chunks: 1,
      backlogLeft: false,
    });
    expect(lines[0].durationMs).toEqual(expect.any(Number));
  });

  it("logs a failed run at error and rethrows, leaving the leases for the next run", async () => {
    await seedHeld(2, { leaseId: "lease-old", expiresAt: NOW - MINUTE });
    const errors = vi.spyOn(console, "error");
    await env.DB.prepare("ALTER TABLE pull_events RENAME TO pull_events_away").run();

    try {
      await expect(expireLeases(env, NOW)).rejects.toThrow();
    } finally {
      await env.DB.prepare("ALTER TABLE pull_events_away RENAME TO pull_events").run();
    }

    const lines = errors.mock.calls
      .map(([line]) => JSON.parse(String(line)))
      .filter((line) => line.event === "cron.expire_leases");
    errors.mockRestore();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "error", expired: 0, chunks: 0 });
    expect(lines[0].error).toEqual(expect.any(String));
    expect(await countHeld()).toBe(2);
  });
});
