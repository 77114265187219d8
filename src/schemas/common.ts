import { z } from "@hono/zod-openapi";
import { TASK_STATUSES } from "../db/schema";

/** Route segments an id must never take, or it would shadow a fixed path (SPEC §2). */
export const RESERVED_IDS = ["pull", "check", "batch", "stats", "pending", "release", "tags"];

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
const ID_CHARS = /^[^\x00-\x1F\x7F/]+$/;

/** An id as it appears in a path or body: 1–255 characters, no control characters, no `/`. */
export const IdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .regex(ID_CHARS, "must not contain control characters or '/'");

/** An id being created: the same, and not one of the reserved route words. */
export const NewIdSchema = IdSchema.refine((id) => !RESERVED_IDS.includes(id.toLowerCase()), {
  message: `is reserved (${RESERVED_IDS.join(", ")})`,
});

export const NameSchema = z.string().max(1000, "must be at most 1000 characters");
export const PromptSchema = z.string().max(100_000, "must be at most 100000 characters");
export const StatusSchema = z.enum(TASK_STATUSES);

const PRIORITY_WORDS = z.enum(["high", "medium", "low"]);

/** The numeric priorities, on a plain or a coercing number schema. */
const oneToTen = <N extends z.ZodNumber | z.ZodCoercedNumber>(number: N) =>
  number.int("must be an integer").min(1, "must be at least 1").max(10, "must be at most 10");

/** `high` | `medium` | `low` | an integer 1–10, as a JSON body sends it: no coercion. */
export const PrioritySchema = z.union([PRIORITY_WORDS, oneToTen(z.number())]);

/** The same in a query string, where every value is text: `?priority=7` means 7. */
export const PriorityQuerySchema = z.union([PRIORITY_WORDS, oneToTen(z.coerce.number())]);

/** A spec file path of a task. */
export const SpecPathSchema = z.string().max(1000, "must be at most 1000 characters");
export const TagSchema = z
  .string()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters");
/** A task's spec files: one path or a list; stored and returned as a list. */
export const SpecFilesSchema = z.union(
  [SpecPathSchema, z.array(SpecPathSchema).max(100, "must list at most 100 files")],
  { error: "must be a path or a list of at most 100 paths (each at most 1000 characters)" },
);
export const TagListSchema = z.array(TagSchema).max(100, "must hold at most 100 tags");
/** A task's report as the client sends it (the guide sends a file path). */
export const ReportSchema = z.string().max(100_000, "must be at most 100000 characters");

/** Size of a value as stored: its JSON in UTF-8 bytes. */
export const byteLength = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value)).length;

/** Queue meta, client and git info are small descriptive objects, far below D1's 2 MB rows. */
export const MAX_INFO_BYTES = 64 * 1024;

/** A free-form JSON object kept as given (queue meta, client info, git info). */
export const InfoSchema = z
  .record(z.string(), z.unknown())
  .refine((info) => byteLength(info) <= MAX_INFO_BYTES, {
    message: `must be at most ${MAX_INFO_BYTES} bytes once serialized`,
  });

/**
 * `when` of a body-wide `.refine`: run it whenever the body is an object, even if some fields
 * failed, so one response lists every issue (zod skips refinements after an issue otherwise).
 */
export const isObjectBody = (payload: { value: unknown }) =>
  typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value);

export const IsoDateSchema = z.iso.datetime({ offset: true, message: "must be an ISO-8601 date" });

export const ProjectParams = z.object({
  projectId: IdSchema.openapi({ param: { name: "projectId", in: "path" }, example: "my-project" }),
});
export const QueueParams = ProjectParams.extend({
  queueId: IdSchema.openapi({ param: { name: "queueId", in: "path" }, example: "my-queue" }),
});
export const TaskParams = ProjectParams.extend({
  taskId: IdSchema.openapi({ param: { name: "taskId", in: "path" }, example: "task-001" }),
});
export const QueueTaskParams = QueueParams.extend({
  taskId: IdSchema.openapi({ param: { name: "taskId", in: "path" }, example: "task-001" }),
});

export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const PaginationSchema = z.object({
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});

/** One page of a list: `items` and where the page sits. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), pagination: PaginationSchema });

export function paginate(page: number, pageSize: number, total: number) {
  return { page, pageSize, total, totalPages: Math.ceil(total / pageSize) };
}

export const ErrorSchema = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION_ERROR" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
    timestamp: z.string(),
  })
  .openapi("Error");

/** Wraps a data schema in the success envelope of SPEC §2. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({
    success: z.literal(true),
    data,
    message: z.string(),
    timestamp: z.string(),
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const COMMON_ERRORS = {
  400: errorResponse("Validation failed; `details` lists every field path and why"),
  401: errorResponse("Missing, unknown or revoked API key"),
  403: errorResponse("Wrong role, or the key is bound to another project"),
  429: errorResponse("Rate limit exceeded; see Retry-After"),
} as const;

export const NOT_FOUND = { 404: errorResponse("Project, queue or task not found") } as const;
export const CONFLICT = { 409: errorResponse("Duplicate id or lease mismatch") } as const;

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } };
}

export function jsonResponse<T extends z.ZodType>(data: T, description: string) {
  return { description, content: { "application/json": { schema: envelope(data) } } };
}
