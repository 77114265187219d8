import { and, eq, gte, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { pullEvents, tasks } from "../db/schema";

const count = (condition: SQL) => sql<number>`coalesce(sum(CASE WHEN ${condition} THEN 1 END), 0)`;

/**
 * Pull statistics of a project or one of its queues (SPEC §5.4). Task counts describe the live
 * server tasks now; pull figures come from pull events (since `since`, when given). A pull is
 * finished once its event has an outcome; success means it ended in a submit.
 */
export async function pullStats(
  db: Db,
  scope: { projectId: string; queueId?: string; since?: number },
  now: number,
) {
  const inQueue = scope.queueId === undefined ? undefined : eq(tasks.queueId, scope.queueId);
  const liveServerTasks = and(
    eq(tasks.projectId, scope.projectId),
    eq(tasks.source, "server"),
    isNull(tasks.deletedAt),
    inQueue,
  );
  const pullable = sql`pulled_at IS NULL AND pushed_at IS NULL
    AND (expires_at IS NULL OR expires_at > ${now})`;
  const taskFigures = db
    .select({
      total: sql<number>`count(*)`,
      notPulled: count(sql`pulled_at IS NULL`),
      pulledNotPushed: count(sql`lease_id IS NOT NULL AND pushed_at IS NULL`),
      oldestPullable: sql<number | null>`min(CASE WHEN ${pullable} THEN created_at END)`,
    })
    .from(tasks)
    .where(liveServerTasks);

  const eventFigures = db
    .select({
      finished: count(sql`ended_at IS NOT NULL`),
      submitted: count(sql`outcome = 'submitted'`),
      timedOut: count(sql`outcome = 'timeout'`),
      released: count(sql`outcome = 'released'`),
      averageMs: sql<number | null>`avg(CASE WHEN outcome = 'submitted'
        THEN ended_at - pulled_at END)`,
    })
    .from(pullEvents)
    .where(
      and(
        eq(pullEvents.projectId, scope.projectId),
        scope.since === undefined ? undefined : gte(pullEvents.pulledAt, scope.since),
        scope.queueId === undefined
          ? undefined
          : sql`task_row_id IN (SELECT id FROM tasks WHERE project_id = ${scope.projectId}
              AND queue_id = ${scope.queueId})`,
      ),
    );

  const [[t], [e]] = await db.batch([taskFigures, eventFigures]);
  const total = t?.total ?? 0;
  const notPulled = t?.notPulled ?? 0;
  const finished = e?.finished ?? 0;
  return {
    total_server_tasks: total,
    not_pulled: notPulled,
    pulled: total - notPulled,
    pulled_not_pushed: t?.pulledNotPushed ?? 0,
    pull_success_rate:
      finished === 0 ? null : Math.round(((e?.submitted ?? 0) / finished) * 1000) / 10,
    average_pull_duration:
      e?.averageMs === null || e?.averageMs === undefined
        ? null
        : Math.round(e.averageMs / 100) / 10,
    timed_out: e?.timedOut ?? 0,
    released: e?.released ?? 0,
    oldest_pullable_age_seconds:
      t?.oldestPullable === null || t?.oldestPullable === undefined
        ? null
        : Math.floor((now - t.oldestPullable) / 1000),
  };
}
