import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { requireTask } from "../db/lookups";
import { endClaims, isLeaseLive } from "./events";

/**
 * Manager's reset of one task's pull state, whatever it is: a live claim's event closes with
 * `reset` (an expired one's with `timeout`), the lease and the push mark are cleared, and the
 * task is pullable again if otherwise eligible.
 */
export async function resetPull(
  db: Db,
  target: { projectId: string; taskId: string },
  by: { identity: string; now: number },
): Promise<{ wasHeld: boolean }> {
  const task = await requireTask(db, target.projectId, target.taskId);
  await db.batch(
    endClaims(db, sql`id = ${task.id}`, {
      outcome: "reset",
      endedBy: by.identity,
      at: by.now,
      clearPush: true,
    }),
  );
  return { wasHeld: isLeaseLive(task, by.now) };
}
