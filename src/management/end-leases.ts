import type { SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import type { PullOutcome } from "../db/schema";
import { freeExpiredLeases } from "../pull/claim";
import { endLeases } from "../pull/events";

/**
 * Ends every open claim on the tasks matching `where`, for a management write (edit, delete,
 * reset). A lease that had already run out, but that the cron has not swept yet, is recorded as
 * a `timeout` exactly as the cron would: it ended by itself before the operator acted, and stats
 * count it that way. The remaining (live) claims end with `outcome`. Four statements whatever
 * the number of tasks, for the caller's own batch, before any write that changes what `where`
 * matches.
 */
export function endClaims(
  db: Db,
  where: SQL,
  ending: { outcome: PullOutcome; endedBy: string; at: number; clearPush: boolean },
) {
  return [...freeExpiredLeases(db, where, ending.at), ...endLeases(db, where, ending)] as const;
}
