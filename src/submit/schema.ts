import { z } from "@hono/zod-openapi";
import {
  byteLength,
  IdSchema,
  InfoSchema,
  NameSchema,
  PrioritySchema,
  PromptSchema,
  ReportSchema,
  SpecFilesSchema,
  StatusSchema,
  TagListSchema,
} from "../schemas/common";

/**
 * A task's stored JSON (messages and logs included) must fit one D1 row and one JSON parameter
 * of the write batch: D1 caps strings and rows at 2 MB, so one task gets 1 MB.
 */
export const MAX_TASK_BYTES = 1_000_000;

export const SubmitTaskSchema = z.object({
  id: IdSchema.openapi({ example: "task-001" }),
  name: NameSchema.min(1, "must not be empty"),
  prompt: PromptSchema,
  status: StatusSchema,
  spec_file: SpecFilesSchema.optional().openapi({
    description: "One path or a list; always stored and returned as a list",
  }),
  report: ReportSchema.nullish(),
  tags: TagListSchema.optional(),
  priority: PrioritySchema.nullish(),
  messages: z.array(z.unknown()).nullish(),
  logs: z.array(z.unknown()).nullish(),
  lease_id: z
    .string()
    .min(1, "must not be empty")
    .max(255, "must be at most 255 characters")
    .optional()
    .openapi({ description: "The lease of the pull this push answers; 409 if no longer held" }),
});

export type SubmitTask = z.infer<typeof SubmitTaskSchema>;

/** Pure rules across the list: an id twice, or a task too big to store. */
function checkTaskList(tasks: SubmitTask[], ctx: z.RefinementCtx) {
  const firstIndex = new Map<string, number>();
  tasks.forEach((task, index) => {
    const earlier = firstIndex.get(task.id);
    if (earlier === undefined) firstIndex.set(task.id, index);
    else {
      ctx.addIssue({
        code: "custom",
        path: [index, "id"],
        message: `duplicates tasks[${earlier}].id (${JSON.stringify(task.id)})`,
      });
    }
    if (byteLength(task) > MAX_TASK_BYTES) {
      ctx.addIssue({
        code: "custom",
        path: [index],
        message: `must be at most ${MAX_TASK_BYTES} bytes as JSON, messages and logs included`,
      });
    }
  });
}

export const SubmitBodySchema = z
  .object({
    project_id: IdSchema,
    project_name: NameSchema.min(1, "must not be empty"),
    queue_id: IdSchema,
    queue_name: NameSchema.min(1, "must not be empty"),
    meta: InfoSchema.nullish(),
    clientInfo: InfoSchema.nullish(),
    gitInfo: InfoSchema.nullish(),
    tasks: z
      .array(SubmitTaskSchema)
      .min(1, "must contain at least one task")
      .max(1000, "must contain at most 1000 tasks")
      .superRefine(checkTaskList),
  })
  .openapi("SubmitRequest", {
    example: {
      project_id: "my-project",
      project_name: "我的项目",
      queue_id: "my-queue",
      queue_name: "我的队列",
      tasks: [
        {
          id: "task-001",
          name: "更新后的任务",
          prompt: "更新后的提示",
          status: "done",
          report: ".flow/tasks/report/task-001.md",
        },
      ],
    },
  });

export type SubmitBody = z.infer<typeof SubmitBodySchema>;

export const SKIP_REASONS = ["DELETED"] as const;

export const SubmitResultSchema = z
  .object({
    project_id: z.string().openapi({ example: "my-project" }),
    queue_id: z.string().openapi({ example: "my-queue" }),
    tasks_count: z.number().int().openapi({ description: "Tasks in the request" }),
    created_tasks: z.number().int().openapi({ description: "New, or back from a mirror delete" }),
    updated_tasks: z.number().int(),
    skipped: z
      .array(z.object({ task_id: z.string(), reason: z.enum(SKIP_REASONS) }))
      .openapi({ description: "Tasks left untouched: `DELETED` = an operator deleted it" }),
  })
  .openapi("SubmitResult");

export type SubmitResult = z.infer<typeof SubmitResultSchema>;
