import { isBatchGuardFailure } from "../db/batch-guard";
import type { Db } from "../db/client";
import { leaseChangedDuringWrite } from "./guards";
import { isLive, type SubmitState } from "./load";
import { leaseClaimsJson, taskChunks } from "./records";
import type { SubmitBody, SubmitResult } from "./schema";
import {
  closePullEvents,
  guardLeases,
  mirrorDeletes,
  upsertProject,
  upsertQueue,
  upsertTasks,
} from "./statements";

type WrittenRow = { id: number; task_id: string };

/**
 * Applies a validated submit as ONE D1 batch (one transaction): all of it or nothing. The
 * statement count depends on the body size only (at most four task chunks), never on the
 * number of tasks, which keeps a submit inside D1's per-invocation query limit.
 */
export async function writeSubmit(
  db: Db,
  body: SubmitBody,
  state: SubmitState,
  actor: string,
  now: number,
): Promise<SubmitResult> {
  const projectId = body.project_id;
  const idsJson = JSON.stringify(body.tasks.map((task) => task.id));
  const claimsJson = leaseClaimsJson(body.tasks);
  const chunks = taskChunks(body.tasks);

  const statements = [
    ...(claimsJson ? [guardLeases(db, projectId, claimsJson, now)] : []),
    upsertProject(db, body, now),
    upsertQueue(db, body, now),
    closePullEvents(db, projectId, idsJson, actor, now),
    ...chunks.map((chunk) => upsertTasks(db, projectId, body.queue_id, chunk, now)),
    mirrorDeletes(db, projectId, body.queue_id, idsJson, now),
  ];
  const firstUpsert = statements.length - chunks.length - 1;

  let results: D1Result[];
  try {
    results = await db.$client.batch(statements);
  } catch (error) {
    if (isBatchGuardFailure(error)) throw leaseChangedDuringWrite();
    throw error;
  }

  const written = results
    .slice(firstUpsert, firstUpsert + chunks.length)
    .flatMap((result) => result.results as WrittenRow[]);
  return summarise(body, state, written);
}

/**
 * Counts from what the batch actually wrote (RETURNING), not from the earlier read: a task
 * that had a live row before is an update; one without (or back from a mirror delete) is
 * created; one not written at all was deleted by an operator.
 */
function summarise(body: SubmitBody, state: SubmitState, written: WrittenRow[]): SubmitResult {
  const writtenIds = new Set(written.map((row) => row.task_id));
  let created = 0;
  let updated = 0;
  for (const id of writtenIds) {
    const before = state.tasks.get(id);
    if (before && isLive(before)) updated += 1;
    else created += 1;
  }
  const skipped = body.tasks
    .filter((task) => !writtenIds.has(task.id))
    .map((task) => ({ task_id: task.id, reason: "DELETED" as const }));

  return {
    project_id: body.project_id,
    queue_id: body.queue_id,
    tasks_count: body.tasks.length,
    created_tasks: created,
    updated_tasks: updated,
    skipped,
  };
}
