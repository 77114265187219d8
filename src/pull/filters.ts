import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import { IsoDateSchema, PriorityQuerySchema, StatusSchema } from "../schemas/common";
import { priorityRank } from "../schemas/task";

/** An ISO-8601 date in a query, as epoch milliseconds. */
export const IsoMsSchema = IsoDateSchema.transform((value) => Date.parse(value));

/** `a,B , c` → `["a", "b", "c"]`: tags match any-of and case-insensitively. */
const TagListSchema = z
  .string()
  .max(2000, "must be at most 2000 characters")
  .transform((raw) =>
    raw
      .split(",")
      .map((tag) => tag.trim().toLowerCase())
      .filter((tag) => tag !== ""),
  )
  .refine((tags) => tags.length > 0, "must name at least one tag")
  .refine((tags) => tags.length <= 50, "must name at most 50 tags");

/** The filters SPEC §5.1 defines, as query parameters. Each one narrows what a pull may claim. */
export const PullFilterQuery = z.object({
  status: StatusSchema.optional(),
  priority: PriorityQuerySchema.optional(),
  tags: TagListSchema.optional().openapi({ example: "gpu,urgent" }),
  since: IsoMsSchema.optional().openapi({ description: "server_modified_at >= since (ISO-8601)" }),
  created_after: IsoMsSchema.optional(),
  created_before: IsoMsSchema.optional(),
  modified_after: IsoMsSchema.optional().openapi({ description: "server_modified_at > value" }),
  modified_before: IsoMsSchema.optional().openapi({ description: "server_modified_at < value" }),
});

/** Filters as parsed; batch pull builds the same shape from its JSON body. */
export type PullFilters = Partial<z.output<typeof PullFilterQuery>>;

/**
 * The filters as SQL conditions on an unaliased `tasks`. They run after the index has ordered
 * the candidates, so a very selective filter walks more index entries (README, Limitations).
 */
export function filterConditions(filters: PullFilters): SQL[] {
  const conditions: SQL[] = [];
  if (filters.status !== undefined) conditions.push(sql`status = ${filters.status}`);
  if (filters.priority !== undefined) {
    conditions.push(sql`priority_rank = ${priorityRank(filters.priority)}`);
  }
  if (filters.tags !== undefined) {
    conditions.push(sql`EXISTS (SELECT 1 FROM json_each(tasks.tags) AS tag
      WHERE lower(tag.value) IN (SELECT value FROM json_each(${JSON.stringify(filters.tags)})))`);
  }
  if (filters.since !== undefined) conditions.push(sql`server_modified_at >= ${filters.since}`);
  if (filters.created_after !== undefined) {
    conditions.push(sql`created_at > ${filters.created_after}`);
  }
  if (filters.created_before !== undefined) {
    conditions.push(sql`created_at < ${filters.created_before}`);
  }
  if (filters.modified_after !== undefined) {
    conditions.push(sql`server_modified_at > ${filters.modified_after}`);
  }
  if (filters.modified_before !== undefined) {
    conditions.push(sql`server_modified_at < ${filters.modified_before}`);
  }
  return conditions;
}
