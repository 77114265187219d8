import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "./errors";

export const nowIso = () => new Date().toISOString();

/** Writes the success envelope of SPEC §2. */
export function ok<T, S extends ContentfulStatusCode = 200>(
  c: Context,
  data: T,
  message = "OK",
  status: S = 200 as S,
) {
  return c.json({ success: true as const, data, message, timestamp: nowIso() }, status);
}

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return {
    success: false as const,
    error: details === undefined ? { code, message } : { code, message, details },
    timestamp: nowIso(),
  };
}
