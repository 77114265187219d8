import { describe, expect, it } from "vitest";
import { seedTasks } from "../helpers";
import { countRows, submit, submitBody, task, uid } from "./fixtures";

const long = (n: number) => "x".repeat(n);

describe("POST /submit: validation", () => {
  const p = "validation-project";
  const cases: [string, unknown, string][] = [
    ["an empty task list", submitBody(p, []), "tasks"],
    [
      "more than 1000 tasks",
      submitBody(
        p,
        Array.from({ length: 1001 }, (_, i) => task(`t${i}`)),
      ),
      "tasks",
    ],
    [
      "a missing project_id",
      { ...submitBody(p, [task("a")]), project_id: undefined },
      "project_id",
    ],
    [
      "a missing queue_name",
      { ...submitBody(p, [task("a")]), queue_name: undefined },
      "queue_name",
    ],
    [
      "a project_name over 1000 characters",
      submitBody(p, [task("a")], { project_name: long(1001) }),
      "project_name",
    ],
    ["a project_id over 255 characters", submitBody(long(256), [task("a")]), "project_id"],
    ["a queue_id with a slash", submitBody(p, [task("a")], { queue_id: "a/b" }), "queue_id"],
    [
      "an unknown status",
      submitBody(p, [task("a"), task("b"), task("c"), task("d", { status: "finished" })]),
      "tasks[3].status",
    ],
    ["a task id over 255 characters", submitBody(p, [task(long(256))]), "tasks[0].id"],
    ["a task id with a slash", submitBody(p, [task("a/b")]), "tasks[0].id"],
    ["a task id with a control character", submitBody(p, [task("a\u0007b")]), "tasks[0].id"],
    ["an empty task id", submitBody(p, [task("")]), "tasks[0].id"],
    [
      "a task name over 1000 characters",
      submitBody(p, [task("a", { name: long(1001) })]),
      "tasks[0].name",
    ],
    [
      "a prompt over 100000 characters",
      submitBody(p, [task("a", { prompt: long(100_001) })]),
      "tasks[0].prompt",
    ],
    ["a missing prompt", submitBody(p, [task("a", { prompt: undefined })]), "tasks[0].prompt"],
    ["a priority above 10", submitBody(p, [task("a", { priority: 11 })]), "tasks[0].priority"],
    [
      "an unknown priority word",
      submitBody(p, [task("a", { priority: "urgent" })]),
      "tasks[0].priority",
    ],
    ["a priority of true", submitBody(p, [task("a", { priority: true })]), "tasks[0].priority"],
    ["a priority in a list", submitBody(p, [task("a", { priority: [7] })]), "tasks[0].priority"],
    [
      "a priority number sent as a string",
      submitBody(p, [task("a", { priority: "7" })]),
      "tasks[0].priority",
    ],
    ["tags that are not strings", submitBody(p, [task("a", { tags: [1] })]), "tasks[0].tags[0]"],
    [
      "a spec_file that is a number",
      submitBody(p, [task("a", { spec_file: 3 })]),
      "tasks[0].spec_file",
    ],
    ["a reserved new task id", submitBody(p, [task("pull")]), "tasks[0].id"],
    ["a reserved new queue id", submitBody(p, [task("a")], { queue_id: "stats" }), "queue_id"],
    ["a reserved new project id", submitBody("batch", [task("a")]), "project_id"],
  ];

  it.each(cases)("returns 400 for %s, naming the field", async (_, body, field) => {
    const res = await submit(body);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it("names both positions of a task id sent twice", async () => {
    const res = await submit(submitBody(p, [task("a"), task("b"), task("a")]));

    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { field: "tasks[2].id", message: expect.stringContaining("tasks[0].id") },
    ]);
  });

  it("reports every failing field at once", async () => {
    const res = await submit(
      submitBody(p, [task("a", { status: "nope" }), task("b", { name: long(1001) })], {
        queue_id: "",
      }),
    );

    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(["queue_id", "tasks[0].status", "tasks[1].name"]),
    );
  });

  it("rejects a task over 1 MB once serialized", async () => {
    const logs = Array.from({ length: 11 }, () => long(100_000));

    const res = await submit(submitBody(p, [task("a", { logs })]));

    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("tasks[0]");
  });

  it("writes nothing when one task of many is invalid", async () => {
    const project = uid("atomic");

    const res = await submit(submitBody(project, [task("a"), task("b", { status: "bad" })]));

    expect(res.status).toBe(400);
    expect(await countRows("projects", project)).toBe(0);
    expect(await countRows("tasks", project)).toBe(0);
  });

  it("accepts an existing task whose id is a reserved word", async () => {
    const project = uid("p");
    await seedTasks([{ projectId: project, taskId: "tags", queueId: "q1" }]);

    const res = await submit(submitBody(project, [task("tags", { status: "done" })]));

    expect(res.status).toBe(200);
  });
});
