import { getHealth, getProject, pullQueue } from "./client.mjs";
import { withCpu } from "./cpu.mjs";
import { runLoad } from "./load.mjs";
import { PROJECT, releaseAll } from "./seed.mjs";
import { ADMIN_TOKEN } from "./worker.mjs";

// The fixed-duration scenarios: the two floors and pull at limit 1, 10 and 100. Each gets the
// same warm-up (not measured: connections, JIT, SQLite page cache) and the same duration.

// A short run with one loop after the loaded one: with no queueing, its p50 is what one request
// costs, so the columns side by side show where the time of a loaded request goes.
const SERIAL_SHARE = 0.2;

/** Warm-up, the loaded run (with workerd's CPU per request), then the one-at-a-time run. */
export async function measure(ctx, send) {
  const { concurrency, durationMs, warmupMs } = ctx.options;
  await runLoad({ concurrency, durationMs: warmupMs, send });
  const loaded = await withCpu(ctx.cpuClock, () => runLoad({ concurrency, durationMs, send }));
  const serial = await runLoad({ concurrency: 1, durationMs: durationMs * SERIAL_SHARE, send });
  return { ...loaded, p50Serial: serial.p50 };
}

/** Route that touches nothing: no key, no limiter, no D1. */
export async function runFloor(ctx) {
  const result = await measure(ctx, () => getHealth(ctx.origin));
  return { ...result, scenario: "floor", route: "GET /health", notes: [] };
}

/**
 * Cheapest authenticated read: key check and limiter (src/auth/authenticate.ts), one row. The
 * same read with ADMIN_TOKEN (the limiter still runs, no key is looked up) splits the two costs.
 */
export async function runAuthFloor(ctx) {
  const send = (loop) => getProject(ctx.origin, ctx.keyFor(loop), PROJECT);
  const result = await measure(ctx, send);
  const { durationMs } = ctx.options;
  const adminSend = () => getProject(ctx.origin, ADMIN_TOKEN, PROJECT);
  const admin = await runLoad({
    concurrency: 1,
    durationMs: durationMs * SERIAL_SHARE,
    send: adminSend,
  });
  const notes = [`c=1 p50 with ADMIN_TOKEN (no key lookup) ${admin.p50?.toFixed(2)} ms`];
  return { ...result, scenario: "auth floor", route: `GET /api/v1/projects/${PROJECT}`, notes };
}

/**
 * Pull at one limit from a queue far larger than the run can drain. A pull that comes back
 * short means the queue ran dry and the numbers stop meaning "claim"; the notes say so.
 */
export async function runPull(ctx, queueId, limit) {
  await releaseAll(ctx.db, queueId);
  let short = 0;
  const send = async (loop) => {
    const outcome = await pullQueue(ctx.origin, ctx.keyFor(loop), PROJECT, queueId, limit);
    if (outcome.status === 200 && outcome.tasks < limit) short += 1;
    return outcome;
  };
  const result = await measure(ctx, send);
  await releaseAll(ctx.db, queueId);

  const notes = short > 0 ? [`${short} pulls came back short: queue ran dry`] : [];
  const route = `GET …/queues/${queueId}/tasks/pull?limit=${limit}`;
  return { ...result, scenario: `pull limit=${limit}`, route, limit, notes };
}
