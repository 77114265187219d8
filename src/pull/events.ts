import { and, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type PullOutcome, pullEvents, tasks } from "../db/schema";

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
