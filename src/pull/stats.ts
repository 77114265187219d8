import { and, eq, gte, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { assertScopeFound, scopeCheck } from "../db/lookups";
import { pullEvents, tasks } from "../db/schema";

type StatsScope = { projectId: string; queueId?: string; since?: number };

const countWhere = (condition: SQL) =>
  sql<number>`coalesce(sum(CASE WHEN ${condition} THEN 1 END), 0)`;

/** Figures about the live server tasks of the scope, as they are now. */
function taskFigures(db: Db, scope: StatsScope, now: number) {
  const pullable = sql`pulled_at IS NULL AND pushed_at IS NULL
    AND (expires_at IS NULL OR expires_at > ${now})`;
  return db
    .select({
      total: sql<number>`count(*)`,
      notPulled: countWhere(sql`pulled_at IS NULL`),
      pulledNotPushed: countWhere(sql`lease_id IS NOT NULL AND pushed_at IS NULL`),
      oldestPullable: sql<number | null>`min(CASE WHEN ${pullable} THEN created_at END)`,
    })
    .from(tasks)
    .where(
      and(
        eq(tasks.projectId, scope.projectId),
        eq(tasks.source, "server"),
        isNull(tasks.deletedAt),
        scope.queueId === undefined ? undefined : eq(tasks.queueId, scope.queueId),
      ),
    );
}

/**
 * Figures about the pulls of the scope (since `since`), from pull events. A queue's pulls are
 * those of the tasks in it now, so a moved task takes its history along.
 */
function eventFigures(db: Db, scope: StatsScope) {
  const inQueue =
    scope.queueId === undefined
      ? undefined
      : sql`task_row_id IN (SELECT id FROM tasks WHERE project_id = ${scope.projectId}
          AND queue_id = ${scope.queueId})`;
  return db
    .select({
      finished: countWhere(sql`ended_at IS NOT NULL`),
      submitted: countWhere(sql`outcome = 'submitted'`),
      timedOut: countWhere(sql`outcome = 'timeout'`),
      released: countWhere(sql`outcome = 'released'`),
      averageMs: sql<number | null>`avg(CASE WHEN outcome = 'submitted'
        THEN ended_at - pulled_at END)`,
    })
    .from(pullEvents)
    .where(
      and(
        eq(pullEvents.projectId, scope.projectId),
        scope.since === undefined ? undefined : gte(pullEvents.pulledAt, scope.since),
        inQueue,
      ),
    );
}

const oneDecimal = (value: number) => Math.round(value * 10) / 10;

/**
 * Pull statistics of a project or one of its queues (SPEC §5.4), in one round trip with the
 * check that the scope is live (404 if not). A pull is finished once its event has an outcome;
 * success means it ended in a submit.
 */
export async function pullStats(db: Db, scope: StatsScope, now: number) {
  const [found, [t], [e]] = await db.batch([
    scopeCheck(db, scope),
    taskFigures(db, scope, now),
    eventFigures(db, scope),
  ]);
  assertScopeFound(found, scope);
  const total = t?.total ?? 0;
  const notPulled = t?.notPulled ?? 0;
  const finished = e?.finished ?? 0;
  const averageMs = e?.averageMs ?? null;
  const oldest = t?.oldestPullable ?? null;

  return {
    total_server_tasks: total,
    not_pulled: notPulled,
    pulled: total - notPulled,
    pulled_not_pushed: t?.pulledNotPushed ?? 0,
    pull_success_rate: finished === 0 ? null : oneDecimal(((e?.submitted ?? 0) / finished) * 100),
    average_pull_duration: averageMs === null ? null : oneDecimal(averageMs / 1000),
    timed_out: e?.timedOut ?? 0,
    released: e?.released ?? 0,
    oldest_pullable_age_seconds: oldest === null ? null : Math.floor((now - oldest) / 1000),
  };
}
