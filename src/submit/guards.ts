import { ApiError } from "../http/errors";
import { type FieldIssue, issuesOf, validationError } from "../http/validation";
import { NewIdSchema } from "../schemas/common";
import { iso } from "../schemas/task";
import { type ExistingTask, isServerDeleted, type SubmitState } from "./load";
import type { SubmitBody } from "./schema";

function reservedIssues(id: string, field: string): FieldIssue[] {
  const result = NewIdSchema.safeParse(id);
  return result.success ? [] : issuesOf(result.error, field);
}

/**
 * Reserved route words may not become new ids (SPEC §2). Only ids without a row are new, so
 * this runs after the current rows are loaded.
 */
export function assertNewIdsAllowed(body: SubmitBody, state: SubmitState): void {
  const issues: FieldIssue[] = [];
  if (!state.projectExists) issues.push(...reservedIssues(body.project_id, "project_id"));
  if (!state.queueExists) issues.push(...reservedIssues(body.queue_id, "queue_id"));
  body.tasks.forEach((task, index) => {
    if (!state.tasks.has(task.id)) issues.push(...reservedIssues(task.id, `tasks[${index}].id`));
  });
  if (issues.length > 0) throw validationError(issues);
}

function leaseProblem(leaseId: string, task: ExistingTask | undefined, now: number) {
  if (!task) return "the task does not exist, so it holds no lease";
  if (task.leaseId === null) return "the task holds no lease (released, timed out or pushed)";
  if (task.leaseId !== leaseId) return "is not the task's current lease";
  if (task.leaseExpiresAt === null || task.leaseExpiresAt <= now) {
    return `the lease expired at ${iso(task.leaseExpiresAt)}`;
  }
  return null;
}

type LeaseMismatch = { field: string; task_id: string; message: string };

/**
 * Every `lease_id` sent must still be the task's live lease, or the whole submit is refused
 * (SPEC §6). A task an operator deleted is skipped rather than checked: it will not be written.
 * The same condition is enforced again inside the write batch (statements.ts), because a lease
 * can change between this read and the write.
 */
export function assertLeasesHeld(body: SubmitBody, state: SubmitState, now: number): void {
  const mismatches: LeaseMismatch[] = [];
  body.tasks.forEach((task, index) => {
    if (task.lease_id === undefined) return;
    const existing = state.tasks.get(task.id);
    if (existing && isServerDeleted(existing)) return;
    const problem = leaseProblem(task.lease_id, existing, now);
    if (problem) {
      mismatches.push({ field: `tasks[${index}].lease_id`, task_id: task.id, message: problem });
    }
  });
  if (mismatches.length === 0) return;

  const summary = mismatches.map((m) => `task ${m.task_id}: ${m.message}`).join("; ");
  throw new ApiError(
    "LEASE_MISMATCH",
    `Lease mismatch, nothing was written: ${summary}`,
    mismatches,
  );
}

/** The 409 for a lease that changed between the checks above and the write. */
export const leaseChangedDuringWrite = () =>
  new ApiError(
    "LEASE_MISMATCH",
    "A lease named in the submit changed while it was being written; nothing was written",
  );
