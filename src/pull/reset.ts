import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { requireTask } from "../db/lookups";
import { endLeases } from "./events";

/**
 * Manager's reset of one task's pull state, whatever it is: an open event closes with `reset`,
 * the lease and the push mark are cleared, and the task is pullable again if otherwise eligible.
 */
export async function resetPull(
  db: Db,
  target: { projectId: string; taskId: string },
  by: { identity: string; now: number },
): Promise<{ wasHeld: boolean }> {
  const task = await requireTask(db, target.projectId, target.taskId);
  await db.batch(
    endLeases(db, sql`id = ${task.id}`, {
      outcome: "reset",
      endedBy: by.identity,
      at: by.now,
      clearPush: true,
    }),
  );
  return { wasHeld: task.leaseId !== null && (task.leaseExpiresAt ?? 0) > by.now };
}
