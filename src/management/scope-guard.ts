import { sql } from "drizzle-orm";
import { isBatchGuardFailure } from "../db/batch-guard";
import type { Db } from "../db/client";
import { batchGuards } from "../db/schema";
import { notFound } from "../http/errors";

/**
 * A statement that aborts the D1 batch it sits in when the project (or the queue) is not live
 * at that moment: the batch_guards CHECK fails and D1 rolls every statement back. It closes the
 * gap between a route's 404 pre-check and its write, so a task can never land in a project or
 * queue that was deleted in between.
 */
export function liveScopeGuard(db: Db, projectId: string, queueId: string | null) {
  const live =
    queueId === null
      ? sql`SELECT 1 FROM projects WHERE project_id = ${projectId} AND deleted_at IS NULL`
      : sql`SELECT 1 FROM queues q JOIN projects p ON p.project_id = q.project_id
            WHERE q.project_id = ${projectId} AND q.queue_id = ${queueId}
              AND q.deleted_at IS NULL AND p.deleted_at IS NULL`;
  // A query builder, not db.run: Drizzle cannot bind the parameters of a raw statement in a batch.
  return db.insert(batchGuards).select(sql`SELECT 0 WHERE NOT EXISTS (${live})`);
}

/** Runs a batch that holds a liveScopeGuard; a tripped guard becomes the 404 it stands for. */
export async function withScopeGuard<T>(
  batch: Promise<T>,
  projectId: string,
  queueId: string | null,
): Promise<T> {
  try {
    return await batch;
  } catch (err) {
    if (!isBatchGuardFailure(err)) throw err;
    throw queueId === null
      ? notFound(`Project ${projectId}`)
      : notFound(`Queue ${queueId} in project ${projectId}`);
  }
}
