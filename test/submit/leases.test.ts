import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { loadSubmitState } from "../../src/submit/load";
import { SubmitBodySchema } from "../../src/submit/schema";
import { writeSubmit } from "../../src/submit/write";
import { seedTasks } from "../helpers";
import { countRows, holdLease, submit, submitBody, task, taskRow, uid } from "./fixtures";

describe("POST /submit: lease checks", () => {
  it("accepts a lease_id that is the task's live lease", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv" }]);
    await holdLease(p, "srv", "live", Date.now() + 600_000);

    const res = await submit(submitBody(p, [task("srv", { lease_id: "live" })]));

    expect(res.status).toBe(200);
  });

  it("rejects an expired lease with 409 and writes nothing", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv", name: "before" }]);
    await holdLease(p, "srv", "stale", Date.now() - 1000);

    const res = await submit(
      submitBody(p, [task("fresh"), task("srv", { name: "after", lease_id: "stale" })]),
    );

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("LEASE_MISMATCH");
    expect(res.body.error.message).toContain("srv");
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ field: "tasks[1].lease_id", task_id: "srv" }),
    ]);
    expect(await taskRow(p, "fresh")).toBeNull();
    expect(await taskRow(p, "srv")).toMatchObject({ name: "before", pushed_at: null });
    expect(await countRows("queues", p)).toBe(0);
  });

  it("rejects a lease_id that is not the task's current lease", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv" }]);
    await holdLease(p, "srv", "current", Date.now() + 600_000);

    const res = await submit(submitBody(p, [task("srv", { lease_id: "someone-else" })]));

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("LEASE_MISMATCH");
    expect((await taskRow(p, "srv"))?.lease_id).toBe("current");
  });

  it("rejects a lease_id on a task that does not exist", async () => {
    const p = uid("p");

    const res = await submit(submitBody(p, [task("ghost", { lease_id: "any" })]));

    expect(res.status).toBe(409);
    expect(await countRows("projects", p)).toBe(0);
  });
  it("skips a leased task an operator deleted instead of rejecting the submit", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv" }]);
    await env.DB.prepare(
      "UPDATE tasks SET deleted_at = 1, deleted_by = 'server' WHERE project_id = ?",
    )
      .bind(p)
      .run();

    const res = await submit(submitBody(p, [task("srv", { lease_id: "ended" }), task("b")]));

    expect(res.status).toBe(200);
    expect(res.body.data.skipped).toEqual([{ task_id: "srv", reason: "DELETED" }]);
  });
});

describe("POST /submit: a lease taken over during the write", () => {
  it("returns 409 when the lease was taken over between the read and the write", async () => {
    const p = uid("p");
    await seedTasks([{ projectId: p, taskId: "srv", name: "before" }]);
    await holdLease(p, "srv", "mine", Date.now() + 600_000);
    const db = createDb(env.DB);
    const body = SubmitBodySchema.parse(
      submitBody(p, [task("srv", { name: "after", lease_id: "mine" }), task("other")]),
    );
    const state = await loadSubmitState(db, body);
    await env.DB.prepare("UPDATE tasks SET lease_id = 'theirs' WHERE project_id = ?").bind(p).run();

    const write = writeSubmit(db, body, state, "agent", Date.now());

    await expect(write).rejects.toMatchObject({ code: "LEASE_MISMATCH", status: 409 });
    expect(await taskRow(p, "srv")).toMatchObject({ name: "before", lease_id: "theirs" });
    expect(await taskRow(p, "other")).toBeNull();
  });
});
