/** The CHECK constraint of `batch_guards` (src/db/schema.ts) that aborts a D1 batch from SQL. */
const GUARD_CONSTRAINT = "batch_guards_ok";

/**
 * Whether a D1 batch failed because one of its guard statements tripped. D1 names the
 * constraint in the message, and the driver may wrap that error in its own (`cause`).
 */
export function isBatchGuardFailure(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e.message.includes(GUARD_CONSTRAINT)) return true;
  }
  return false;
}
