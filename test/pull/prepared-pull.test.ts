import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import type { Scope } from "../../src/db/lookups";
import type { Lease } from "../../src/pull/claim";
import type { PullFilters } from "../../src/pull/filters";
import { claimTasks } from "../../src/pull/prepared-pull";
import { seedTasks } from "../helpers";

// claimTasks renders a pull's statements once per shape (scope kind + which filters) and binds
// each request's values into them. These pulls reuse shapes with different values on purpose:
// every answer must depend on its own request only.

function leaseFor(name: string): Lease {
  const now = Date.now();
  return {
    leaseId: crypto.randomUUID(),
    pulledBy: name,
    keyId: `key-${name}`,
    now,
    expiresAt: now + 60_000,
  };
}

async function pull(scope: Scope, limit: number, filters: PullFilters = {}) {
  const lease = leaseFor(`puller-${crypto.randomUUID().slice(0, 6)}`);
  const claimed = await claimTasks(createDb(env.DB), { scope, filters, limit, lease });
  return { lease, taskIds: claimed.map((task) => task.taskId), claimed };
}

async function openEvents(leaseId: string) {
  const { results } = await env.DB.prepare(
    `SELECT task_id, pulled_by, key_id FROM pull_events
     WHERE lease_id = ? AND ended_at IS NULL ORDER BY task_id`,
  )
    .bind(leaseId)
    .all<{ task_id: string; pulled_by: string; key_id: string }>();
  return results;
}

const project = () => `prep-${crypto.randomUUID().slice(0, 8)}`;

describe("prepared pull statements", () => {
  it("bind each request's own scope, limit and lease into a reused queue shape", async () => {
    const [p1, p2] = [project(), project()];
    await seedTasks([
      ...["a1", "a2", "a3"].map((taskId) => ({ projectId: p1, queueId: "q", taskId })),
      ...["b1", "b2"].map((taskId) => ({ projectId: p2, queueId: "r", taskId })),
    ]);

    const first = await pull({ projectId: p1, queueId: "q" }, 2);
    const second = await pull({ projectId: p2, queueId: "r" }, 5);
    const third = await pull({ projectId: p1, queueId: "q" }, 5);

    expect(first.taskIds).toEqual(["a1", "a2"]);
    expect(second.taskIds).toEqual(["b1", "b2"]);
    expect(third.taskIds).toEqual(["a3"]);
    for (const { lease, claimed } of [first, second, third]) {
      for (const task of claimed) {
        expect(task).toMatchObject({
          leaseId: lease.leaseId,
          pulledBy: lease.pulledBy,
          pulledByKeyId: lease.keyId,
          pulledAt: lease.now,
          leaseExpiresAt: lease.expiresAt,
          pullCount: 1,
          tags: [],
        });
      }
      const events = await openEvents(lease.leaseId);
      expect(events.map((event) => event.task_id)).toEqual(claimed.map((task) => task.taskId));
      expect(events.every((event) => event.key_id === lease.keyId)).toBe(true);
    }
  });

  it("bind each request's filter values into a reused filtered shape", async () => {
    const p = project();
    await seedTasks([
      {
        projectId: p,
        queueId: "q",
        taskId: "gpu-high",
        tags: ["gpu"],
        priority: "high",
        priorityRank: 10,
      },
      {
        projectId: p,
        queueId: "q",
        taskId: "gpu-low",
        tags: ["gpu"],
        priority: "low",
        priorityRank: 1,
      },
      {
        projectId: p,
        queueId: "q",
        taskId: "cpu-high",
        tags: ["cpu"],
        priority: "high",
        priorityRank: 10,
      },
    ]);

    const gpuHigh = await pull({ projectId: p, queueId: "q" }, 10, {
      tags: ["gpu"],
      priority: "high",
    });
    const cpuHigh = await pull({ projectId: p, queueId: "q" }, 10, {
      tags: ["cpu"],
      priority: "high",
    });
    const gpuLow = await pull({ projectId: p, queueId: "q" }, 10, {
      tags: ["gpu"],
      priority: "low",
    });

    expect(gpuHigh.taskIds).toEqual(["gpu-high"]);
    expect(cpuHigh.taskIds).toEqual(["cpu-high"]);
    expect(gpuLow.taskIds).toEqual(["gpu-low"]);
  });

  it("keep the three scope kinds apart", async () => {
    const p = project();
    await seedTasks([
      { projectId: p, queueId: "q", taskId: "in-queue" },
      { projectId: p, queueId: null, taskId: "project-level" },
      { projectId: p, queueId: "r", taskId: "other-queue" },
    ]);

    expect((await pull({ projectId: p, queueId: null }, 10)).taskIds).toEqual(["project-level"]);
    expect((await pull({ projectId: p, queueId: "q" }, 10)).taskIds).toEqual(["in-queue"]);
    expect((await pull({ projectId: p }, 10)).taskIds).toEqual(["other-queue"]);
  });

  it("answer 404 for a missing scope through the same prepared shape", async () => {
    const p = project();
    await seedTasks([{ projectId: p, queueId: "q", taskId: "t" }]);

    await expect(pull({ projectId: p, queueId: "missing" }, 1)).rejects.toMatchObject({
      code: "RESOURCE_NOT_FOUND",
    });
    await expect(pull({ projectId: `${p}-missing`, queueId: "q" }, 1)).rejects.toMatchObject({
      code: "RESOURCE_NOT_FOUND",
    });
    expect((await pull({ projectId: p, queueId: "q" }, 1)).taskIds).toEqual(["t"]);
  });
});
