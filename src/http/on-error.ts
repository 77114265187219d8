import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env";
import { errorBody } from "./envelope";
import { ApiError, invalid } from "./errors";
import { log } from "./log";

/** D1 reports an unavailable or overloaded database with messages like these. */
const STORAGE_DOWN =
  /D1_ERROR: (Network connection lost|.*overloaded|.*storage.*reset|.*timed out)/i;

function toApiError(err: unknown, c: Context<AppEnv>): ApiError {
  if (err instanceof ApiError) return err;

  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own 4xx: malformed JSON, a non-JSON Content-Type (415, which SPEC §2 makes a 400),
    // and the body limit.
    if (err.status === 413) return new ApiError("PAYLOAD_TOO_LARGE", "Request body exceeds 5 MB");
    if (err.status === 415) return invalid("Content-Type", "must be application/json");
    return new ApiError("VALIDATION_ERROR", `Invalid request: ${err.message}`, [
      { field: "body", message: err.message },
    ]);
  }

  const message = err instanceof Error ? err.message : String(err);
  const fields = { requestId: c.var.requestId, error: message, stack: (err as Error)?.stack };
  if (STORAGE_DOWN.test(message)) {
    log("error", "storage_unavailable", fields);
    return new ApiError("SERVICE_UNAVAILABLE", "Storage is unavailable; nothing was changed");
  }
  log("error", "unhandled_error", fields);
  return new ApiError("INTERNAL_ERROR", "Internal error; the request id identifies it in logs");
}

/** The single place an error becomes a response: same envelope for every failure. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const apiError = toApiError(err, c);
  if (err instanceof ApiError && err.status >= 500) {
    // Other errors were logged with their stack by toApiError; these are thrown on purpose (a
    // bad configuration, an unreachable limiter) and are server faults all the same.
    log("error", "server_error", {
      requestId: c.var.requestId,
      code: err.code,
      message: err.message,
    });
  }
  for (const [name, value] of Object.entries(apiError.headers ?? {})) c.header(name, value);
  return c.json(errorBody(apiError.code, apiError.message, apiError.details), apiError.status);
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(errorBody("RESOURCE_NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`), 404);
