import { and, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Db, Param } from "../db/client";
import { type PullOutcome, pullEvents, type TaskRow, tasks } from "../db/schema";

/** Whether a task is held right now: it has a lease, and the lease has not run out. */
export function isLeaseLive(
  task: Pick<TaskRow, "leaseId" | "leaseExpiresAt">,
  now: number,
): boolean {
  return task.leaseId !== null && (task.leaseExpiresAt ?? 0) > now;
}

/**
 * The two statements that end whatever lease the tasks matching `where` hold: close their open
 * pull event with `outcome`, then clear the pull state. Callers put them in their own D1 batch,
 * so the event and the task change together or not at all.
 *
 * `at: "lease-expiry"` dates a timeout at the moment the lease ran out rather than when it was
 * noticed. `clearPush` also clears `pushed_at` (reset, re-run, edit: the task becomes pullable
 * again); a release or timeout leaves it alone.
 */
export function endLeases(
  db: Db,
  where: SQL,
  ending: {
    outcome: PullOutcome;
    endedBy: string;
    at: number | "lease-expiry";
    clearPush?: boolean;
  },
) {
  const heldTaskIds = db.select({ id: tasks.id }).from(tasks).where(where);
  const closeEvents = db
    .update(pullEvents)
    .set({
      endedAt: ending.at === "lease-expiry" ? sql`${pullEvents.leaseExpiresAt}` : ending.at,
      endedBy: ending.endedBy,
      outcome: ending.outcome,
    })
    .where(and(isNull(pullEvents.endedAt), inArray(pullEvents.taskRowId, heldTaskIds)));
  const clearState = db
    .update(tasks)
    .set({
      pulledAt: null,
      pulledBy: null,
      pulledByKeyId: null,
      leaseId: null,
      leaseExpiresAt: null,
      ...(ending.clearPush ? { pushedAt: null } : {}),
    })
    .where(where);
  return [closeEvents, clearState] as const;
}

/**
 * The statements that free expired leases matching `where`, closing their events as `timeout`
 * dated when each lease ran out, exactly as the cron would.
 */
export function freeExpiredLeases(db: Db, where: SQL, now: Param<number>) {
  return endLeases(db, sql`pulled_at IS NOT NULL AND lease_expires_at <= ${now} AND ${where}`, {
    outcome: "timeout",
    endedBy: "system:timeout",
    at: "lease-expiry",
  });
}

/**
 * Ends every claim on the tasks matching `where` for an operator's or holder's action (edit,
 * delete, reset, release). A lease that had already run out but was not swept yet is recorded
 * as a `timeout`: it ended by itself before anyone acted, and stats count it that way. Live
 * claims end with `outcome`. Four statements whatever the number of tasks, for the caller's own
 * batch, before any write that changes what `where` matches.
 */
export function endClaims(
  db: Db,
  where: SQL,
  ending: { outcome: PullOutcome; endedBy: string; at: number; clearPush?: boolean },
) {
  return [...freeExpiredLeases(db, where, ending.at), ...endLeases(db, where, ending)] as const;
}
