import { priorityRank } from "../schemas/task";
import type { SubmitTask } from "./schema";

/**
 * One task as the write statements read it through `json_each`. A key is present only when
 * the client sent that field: absent means "keep the stored value", null means "clear it".
 */
type TaskRecord = {
  id: string;
  name: string;
  prompt: string;
  status: string;
  spec_file?: string[];
  report?: string | null;
  tags?: string[];
  priority?: string | null;
  priority_rank?: number;
  messages?: unknown[] | null;
  logs?: unknown[] | null;
};

/**
 * Keeps each JSON parameter well under D1's 2 MB string limit. A 5 MB body therefore needs at
 * most four chunks, so the batch size never grows with the number of tasks.
 */
const CHUNK_BYTES = 1_500_000;

function toRecord(task: SubmitTask): TaskRecord {
  const record: TaskRecord = {
    id: task.id,
    name: task.name,
    prompt: task.prompt,
    status: task.status,
  };
  if (task.spec_file !== undefined) {
    record.spec_file = typeof task.spec_file === "string" ? [task.spec_file] : task.spec_file;
  }
  if (task.report !== undefined) record.report = task.report;
  if (task.tags !== undefined) record.tags = task.tags;
  if (task.priority !== undefined) {
    // Stored as text (`high`, `7`) with its numeric rank, which is what ordering uses.
    record.priority = task.priority === null ? null : String(task.priority);
    record.priority_rank = priorityRank(task.priority);
  }
  if (task.messages !== undefined) record.messages = task.messages;
  if (task.logs !== undefined) record.logs = task.logs;
  return record;
}

/** The tasks as JSON arrays of records, split so no array passes CHUNK_BYTES. */
export function taskChunks(tasks: SubmitTask[]): string[] {
  const encoder = new TextEncoder();
  const chunks: string[] = [];
  let current: string[] = [];
  let currentBytes = 0;

  for (const task of tasks) {
    const json = JSON.stringify(toRecord(task));
    const bytes = encoder.encode(json).length + 1;
    if (current.length > 0 && currentBytes + bytes > CHUNK_BYTES) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      currentBytes = 0;
    }
    current.push(json);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}

/** `[{id, lease_id}]` for the tasks that name a lease: what the in-batch guard re-checks. */
export function leaseClaimsJson(tasks: SubmitTask[]): string | null {
  const claims = tasks
    .filter((task) => task.lease_id !== undefined)
    .map((task) => ({ id: task.id, lease_id: task.lease_id }));
  return claims.length > 0 ? JSON.stringify(claims) : null;
}
