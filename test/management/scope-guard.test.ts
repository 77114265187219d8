import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { projects } from "../../src/db/schema";
import { ApiError } from "../../src/http/errors";
import { liveScopeGuard, withScopeGuard } from "../../src/management/scope-guard";
import { call } from "../helpers";
import { makeProject } from "./fixtures";

const db = createDb(env.DB);
const renameProject = (projectId: string) =>
  db.update(projects).set({ name: "renamed" }).where(eq(projects.projectId, projectId));

describe("liveScopeGuard", () => {
  it("lets the batch through when the queue is live", async () => {
    await makeProject("guard-live", ["q"]);

    await withScopeGuard(
      db.batch([liveScopeGuard(db, "guard-live", "q"), renameProject("guard-live")]),
      "guard-live",
      "q",
    );

    const row = await env.DB.prepare(
      "SELECT name FROM projects WHERE project_id = 'guard-live'",
    ).first<{ name: string }>();
    expect(row?.name).toBe("renamed");
  });

  it("rolls the whole batch back and reports 404 when the queue was deleted", async () => {
    await makeProject("guard-gone", ["q"]);
    await call("DELETE", "/projects/guard-gone/queues/q");

    const run = withScopeGuard(
      db.batch([liveScopeGuard(db, "guard-gone", "q"), renameProject("guard-gone")]),
      "guard-gone",
      "q",
    );

    await expect(run).rejects.toBeInstanceOf(ApiError);
    await expect(run).rejects.toMatchObject({ code: "RESOURCE_NOT_FOUND" });
    const row = await env.DB.prepare(
      "SELECT name FROM projects WHERE project_id = 'guard-gone'",
    ).first<{ name: string }>();
    expect(row?.name).toBe("guard-gone");
  });

  it("reports 404 when the project itself was deleted", async () => {
    await makeProject("guard-project");
    await call("DELETE", "/projects/guard-project");

    const run = withScopeGuard(
      db.batch([liveScopeGuard(db, "guard-project", null), renameProject("guard-project")]),
      "guard-project",
      null,
    );

    await expect(run).rejects.toMatchObject({ code: "RESOURCE_NOT_FOUND" });
  });
});
