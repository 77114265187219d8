import { z } from "@hono/zod-openapi";
import type { TaskRow } from "../db/schema";
import { iso, TaskSchema, toTaskJson } from "../schemas/task";
import type { Lease } from "./claim";

export const LimitSchema = z.coerce
  .number()
  .int("must be an integer")
  .min(1, "must be at least 1")
  .max(100, "must be at most 100");

export const LeaseSecondsSchema = z.coerce.number().int("must be an integer").positive();

export const PullResultSchema = z
  .object({
    tasks: z.array(TaskSchema),
    pulled_count: z.number().int(),
    lease_id: z.string().nullable().openapi({ description: "Null when nothing was claimed" }),
    lease_expires_at: z.string().nullable(),
  })
  .openapi("PullResult");

/** The response `data` of a claim; a pull that found nothing has no lease. */
export function toPullResult(claimed: TaskRow[], lease: Lease) {
  const claimedSome = claimed.length > 0;
  return {
    tasks: claimed.map((row) => toTaskJson(row)),
    pulled_count: claimed.length,
    lease_id: claimedSome ? lease.leaseId : null,
    lease_expires_at: claimedSome ? iso(lease.expiresAt) : null,
  };
}
