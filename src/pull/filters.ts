import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { Param } from "../db/client";
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

/** Each present filter's one SQL parameter: priority as its rank, tags as a JSON array. */
export type FilterValues = {
  status?: string;
  priorityRank?: number;
  tagsJson?: string;
  since?: number;
  createdAfter?: number;
  createdBefore?: number;
  modifiedAfter?: number;
  modifiedBefore?: number;
};

/** The filters as statement parameters: each a value, or a placeholder standing for one. */
export type FilterParams = { [K in keyof FilterValues]?: Param<NonNullable<FilterValues[K]>> };

export function filterValues(filters: PullFilters): FilterValues {
  const values: FilterValues = {
    status: filters.status,
    priorityRank: filters.priority === undefined ? undefined : priorityRank(filters.priority),
    tagsJson: filters.tags === undefined ? undefined : JSON.stringify(filters.tags),
    since: filters.since,
    createdAfter: filters.created_after,
    createdBefore: filters.created_before,
    modifiedAfter: filters.modified_after,
    modifiedBefore: filters.modified_before,
  };
  // Only the filters present: their names are part of a prepared pull's shape.
  for (const key of Object.keys(values) as (keyof FilterValues)[]) {
    if (values[key] === undefined) delete values[key];
  }
  return values;
}

/**
 * The filters as SQL conditions on an unaliased `tasks`, one parameter each. They run after the
 * index has ordered the candidates, so a very selective filter walks more index entries (README,
 * Limitations).
 */
export function filterConditions(params: FilterParams): SQL[] {
  const conditions: SQL[] = [];
  if (params.status !== undefined) conditions.push(sql`status = ${params.status}`);
  if (params.priorityRank !== undefined) {
    conditions.push(sql`priority_rank = ${params.priorityRank}`);
  }
  if (params.tagsJson !== undefined) {
    conditions.push(sql`EXISTS (SELECT 1 FROM json_each(tasks.tags) AS tag
      WHERE lower(tag.value) IN (SELECT value FROM json_each(${params.tagsJson})))`);
  }
  if (params.since !== undefined) conditions.push(sql`server_modified_at >= ${params.since}`);
  if (params.createdAfter !== undefined) conditions.push(sql`created_at > ${params.createdAfter}`);
  if (params.createdBefore !== undefined) {
    conditions.push(sql`created_at < ${params.createdBefore}`);
  }
  if (params.modifiedAfter !== undefined) {
    conditions.push(sql`server_modified_at > ${params.modifiedAfter}`);
  }
  if (params.modifiedBefore !== undefined) {
    conditions.push(sql`server_modified_at < ${params.modifiedBefore}`);
  }
  return conditions;
}
