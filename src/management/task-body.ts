import { z } from "@hono/zod-openapi";
import type { tasks } from "../db/schema";
import {
  IdSchema,
  IsoDateSchema,
  isObjectBody,
  NameSchema,
  NewIdSchema,
  PrioritySchema,
  PromptSchema,
  ReportSchema,
  SpecFilesSchema,
  StatusSchema,
  TagListSchema,
} from "../schemas/common";
import { priorityRank } from "../schemas/task";

/** The editable fields, each as the body may send it. */
const TaskFields = {
  name: NameSchema.min(1, "must not be empty"),
  prompt: PromptSchema,
  status: StatusSchema,
  spec_file: SpecFilesSchema,
  report: ReportSchema.nullable(),
  tags: TagListSchema,
  priority: PrioritySchema.nullable(),
  expires_at: IsoDateSchema.nullable().openapi({
    description: "When the task stops being pullable; a past date is accepted (retires it)",
  }),
};

/** Every editable field optional: the shape of an edit, and of a create beyond its id and name. */
const OptionalTaskFields = z.object(TaskFields).partial();

type EditableFields = z.infer<typeof OptionalTaskFields>;

export const CreateTaskBody = OptionalTaskFields.extend({
  taskId: NewIdSchema.optional(),
  task_id: NewIdSchema.optional(),
  name: TaskFields.name,
  prompt: TaskFields.prompt,
})
  .strict()
  .refine((body) => (body.taskId ?? body.task_id) !== undefined, {
    path: ["task_id"],
    message: "is required (send task_id or taskId)",
    when: isObjectBody,
  })
  .refine((body) => !body.taskId || !body.task_id || body.taskId === body.task_id, {
    path: ["task_id"],
    message: "differs from taskId; send one of them",
    when: isObjectBody,
  })
  .openapi({
    example: {
      task_id: "task-001",
      name: "Summarise the release notes",
      prompt: "Read CHANGELOG.md and write a five-line summary.",
      spec_file: [".flow/specs/release.md"],
      tags: ["docs"],
      priority: "high",
      expires_at: "2030-01-01T00:00:00.000Z",
    },
  });

export const EditTaskBody = OptionalTaskFields.strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: "must change at least one field",
    when: isObjectBody,
  })
  .openapi({ example: { prompt: "Read CHANGELOG.md and write a ten-line summary.", priority: 7 } });

export const MoveTaskBody = z
  .object({
    queue_id: IdSchema.nullable()
      .optional()
      .openapi({ description: "Target queue; null = project" }),
    queueId: IdSchema.nullable().optional().openapi({ description: "Alias of queue_id" }),
  })
  .strict()
  .refine((body) => body.queue_id !== undefined || body.queueId !== undefined, {
    path: ["queue_id"],
    message: "is required (a queue id, or null for project level)",
    when: isObjectBody,
  })
  .refine(
    (body) =>
      body.queue_id === undefined || body.queueId === undefined || body.queue_id === body.queueId,
    { path: ["queue_id"], message: "differs from queueId; send one of them", when: isObjectBody },
  )
  .openapi({ example: { queue_id: "my-queue" } });

export const createdTaskId = (body: z.infer<typeof CreateTaskBody>) =>
  (body.taskId ?? body.task_id) as string;

export const moveTarget = (body: z.infer<typeof MoveTaskBody>): string | null =>
  body.queue_id !== undefined ? body.queue_id : (body.queueId ?? null);

type TaskValues = Partial<typeof tasks.$inferInsert>;

/** Body fields as column values; a field the body left out is left out here too. */
export function taskFieldValues(body: EditableFields): TaskValues {
  const values: TaskValues = {};
  if (body.name !== undefined) values.name = body.name;
  if (body.prompt !== undefined) values.prompt = body.prompt;
  if (body.status !== undefined) values.status = body.status;
  if (body.spec_file !== undefined) {
    const files = typeof body.spec_file === "string" ? [body.spec_file] : body.spec_file;
    values.specFile = files.filter((file) => file !== "");
  }
  if (body.report !== undefined) values.report = body.report;
  if (body.tags !== undefined) values.tags = body.tags;
  if (body.priority !== undefined) {
    values.priority = body.priority === null ? null : String(body.priority);
    values.priorityRank = priorityRank(body.priority);
  }
  if (body.expires_at !== undefined) {
    values.expiresAt = body.expires_at === null ? null : Date.parse(body.expires_at);
  }
  return values;
}
