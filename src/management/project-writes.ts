import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ProjectRow, projects, type QueueRow, queues } from "../db/schema";
import { liveScopeGuard, withScopeGuard } from "./scope-guard";

type JsonObject = Record<string, unknown> | null | undefined;

/** A field the body left out keeps its stored value, unless the row is (re)created. */
const keepOrSet = <T>(given: T | undefined, stored: T | null | undefined, created: boolean) =>
  given !== undefined ? given : created ? null : (stored ?? null);

/**
 * Creates, renames or revives a project. A soft-deleted project comes back as a new one (fresh
 * `created_at`, info not carried over, `created` true); its deleted queues and tasks stay deleted.
 * Two concurrent PUTs of a new id may both report `created`; the stored row is the same.
 */
export async function putProject(
  db: Db,
  projectId: string,
  body: { name: string; client_info?: JsonObject; git_info?: JsonObject },
  now: number,
): Promise<{ row: ProjectRow; created: boolean }> {
  const existing = await db.select().from(projects).where(eq(projects.projectId, projectId)).get();
  const created = !existing || existing.deletedAt !== null;

  const values = {
    name: body.name,
    clientInfo: keepOrSet(body.client_info, existing?.clientInfo, created),
    gitInfo: keepOrSet(body.git_info, existing?.gitInfo, created),
    createdAt: created ? now : (existing?.createdAt ?? now),
    updatedAt: now,
    deletedAt: null,
  };
  const [row] = await db
    .insert(projects)
    .values({ projectId, ...values })
    .onConflictDoUpdate({ target: projects.projectId, set: values })
    .returning();
  return { row: row as ProjectRow, created };
}

/** Creates, renames or revives a queue of a live project; same rules as putProject. */
export async function putQueue(
  db: Db,
  projectId: string,
  queueId: string,
  body: { name: string; meta?: JsonObject },
  now: number,
): Promise<{ row: QueueRow; created: boolean }> {
  const existing = await db
    .select()
    .from(queues)
    .where(and(eq(queues.projectId, projectId), eq(queues.queueId, queueId)))
    .get();
  const created = !existing || existing.deletedAt !== null;

  const values = {
    name: body.name,
    meta: keepOrSet(body.meta, existing?.meta as JsonObject, created),
    ...(created ? { lastResetAt: null, lastOperation: null } : {}),
    createdAt: created ? now : (existing?.createdAt ?? now),
    updatedAt: now,
    deletedAt: null,
  };
  const [, [row]] = await withScopeGuard(
    db.batch([
      liveScopeGuard(db, projectId, null),
      db
        .insert(queues)
        .values({ projectId, queueId, ...values })
        .onConflictDoUpdate({ target: [queues.projectId, queues.queueId], set: values })
        .returning(),
    ]),
    projectId,
    null,
  );
  return { row: row as QueueRow, created };
}
