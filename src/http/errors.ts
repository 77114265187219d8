import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The closed list of error codes a client can see, with the status each one always carries. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  RESOURCE_NOT_FOUND: 404,
  DUPLICATE_KEY: 409,
  LEASE_MISMATCH: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error type routes throw; `onError` (src/http/on-error.ts) turns it into the envelope. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string) => new ApiError("RESOURCE_NOT_FOUND", `${what} not found`);

export const forbidden = (why: string) => new ApiError("FORBIDDEN", why);

export const invalid = (field: string, message: string) =>
  new ApiError("VALIDATION_ERROR", `${field}: ${message}`, [{ field, message }]);
