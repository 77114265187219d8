import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import { ApiError } from "./errors";

export type FieldIssue = { field: string; message: string };

/** `["tasks", 3, "status"]` → `tasks[3].status`, the form SPEC §2 promises in `details`. */
export function fieldPath(path: readonly PropertyKey[], root?: string): string {
  let out = root ?? "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "body" : out;
}

export function issuesOf(error: z.ZodError, root?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: fieldPath(issue.path, root),
    message: issue.message,
  }));
}

export function validationError(issues: FieldIssue[]): ApiError {
  const summary = issues.map((i) => `${i.field}: ${i.message}`).join("; ");
  return new ApiError("VALIDATION_ERROR", `Invalid request: ${summary}`, issues);
}

/**
 * The one validation hook for every route: all issues, each with its field path. Query and path
 * parameters are reported by name (`limit`), body fields by path (`tasks[3].status`).
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every shape.
export const validationHook: Hook<any, any, any, any> = (result, _c) => {
  if (result.success) return;
  throw validationError(issuesOf(result.error));
};
