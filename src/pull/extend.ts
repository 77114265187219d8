import { and, eq, gt, isNull } from "drizzle-orm";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { requireTask } from "../db/lookups";
import { pullEvents, tasks } from "../db/schema";
import { ApiError } from "../http/errors";
import { leaseSeconds } from "./lease";

/**
 * The heartbeat of long work: moves a live lease's expiry to now + `seconds` (default
 * PULL_TIMEOUT_SECONDS, capped at MAX_LEASE_SECONDS). A lease that ended or expired is gone: 409.
 */
export async function extendLease(
  db: Db,
  config: Config,
  target: { projectId: string; taskId: string; leaseId: string; seconds?: number },
  now: number,
): Promise<{ leaseExpiresAt: number }> {
  const seconds = leaseSeconds(config, target.seconds, { capAtMax: true });
  const task = await requireTask(db, target.projectId, target.taskId);
  const leaseExpiresAt = now + seconds * 1000;

  const [extended] = await db.batch([
    db
      .update(tasks)
      .set({ leaseExpiresAt })
      .where(
        and(
          eq(tasks.id, task.id),
          eq(tasks.leaseId, target.leaseId),
          gt(tasks.leaseExpiresAt, now),
        ),
      )
      .returning({ id: tasks.id }),
    db
      .update(pullEvents)
      .set({ leaseExpiresAt })
      .where(
        and(
          eq(pullEvents.taskRowId, task.id),
          eq(pullEvents.leaseId, target.leaseId),
          isNull(pullEvents.endedAt),
          gt(pullEvents.leaseExpiresAt, now),
        ),
      ),
  ]);
  if (extended.length === 0) {
    throw new ApiError("LEASE_MISMATCH", `Lease ${target.leaseId} no longer holds ${task.taskId}`);
  }
  return { leaseExpiresAt };
}
