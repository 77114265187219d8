import { pullQueue } from "./client.mjs";
import { percentile, sendSafely } from "./load.mjs";
import { claimedTaskIds, countPullable, PROJECT, seedTasks } from "./seed.mjs";

export const DRAIN_QUEUE = "drain";

// A puller gives up after this many failed requests in a row: a broken route must end the
// scenario with its status in the report, not spin until the time limit.
const MAX_FAILURES_IN_A_ROW = 10;

/**
 * One puller: pulls until the queue answers empty, recording every task id it was given.
 * Leases last an hour, so an empty answer means every task is claimed.
 */
async function puller(ctx, key, deadline, tally) {
  const pull = () => pullQueue(ctx.origin, key, PROJECT, DRAIN_QUEUE, ctx.options.contentionLimit);
  let failuresInARow = 0;
  while (performance.now() < deadline) {
    const sent = performance.now();
    const outcome = await sendSafely(pull);
    tally.latencies.push(performance.now() - sent);
    tally.statuses[outcome.status] = (tally.statuses[outcome.status] ?? 0) + 1;

    if (outcome.status !== 200) {
      failuresInARow += 1;
      if (outcome.status === 404 || failuresInARow >= MAX_FAILURES_IN_A_ROW) return;
      continue;
    }
    failuresInARow = 0;
    if (outcome.tasks === 0) return;
    for (const taskId of outcome.taskIds) {
      tally.received.set(taskId, (tally.received.get(taskId) ?? 0) + 1);
    }
  }
  tally.timedOut = true;
}

/** Compares what the pullers were given with what was seeded and what D1 says is claimed. */
async function audit(ctx, tally, seeded) {
  let duplicates = 0;
  for (const count of tally.received.values()) duplicates += count - 1;
  const claimedInDb = await claimedTaskIds(ctx.db, DRAIN_QUEUE);
  const claimedButNotDelivered = claimedInDb.filter((id) => !tally.received.has(id)).length;
  const stillPullable = await countPullable(ctx.db, DRAIN_QUEUE);
  return {
    duplicates,
    lost: seeded - tally.received.size,
    claimedButNotDelivered,
    stillPullable,
  };
}

/**
 * `contentionPullers` concurrent pullers, each with its own key, drain one queue of
 * `contentionTasks` tasks. Every task must reach exactly one puller: duplicates and lost are
 * both 0, and D1 holds no claim that no puller received.
 */
export async function runContention(ctx) {
  const { contentionPullers, contentionTasks, contentionSeconds } = ctx.options;
  const seedMs = await seedTasks(ctx.db, DRAIN_QUEUE, 1, contentionTasks);
  const keys = Array.from({ length: contentionPullers }, (_, index) => ctx.keyFor(index));
  const tally = { received: new Map(), latencies: [], statuses: {}, timedOut: false };

  const started = performance.now();
  const deadline = started + contentionSeconds * 1000;
  await Promise.all(keys.map((key) => puller(ctx, key, deadline, tally)));
  const elapsedMs = performance.now() - started;

  const check = await audit(ctx, tally, contentionTasks);
  const sorted = Float64Array.from(tally.latencies).sort();
  const failures = sorted.length - (tally.statuses[200] ?? 0);
  const notes = [
    `${contentionPullers} pullers, ${contentionTasks} tasks, total ${(elapsedMs / 1000).toFixed(2)} s`,
    `duplicates ${check.duplicates}, lost ${check.lost}`,
  ];
  if (check.claimedButNotDelivered > 0)
    notes.push(`${check.claimedButNotDelivered} claimed, never delivered`);
  if (check.stillPullable > 0) notes.push(`${check.stillPullable} left pullable`);
  if (tally.timedOut) notes.push(`stopped at the ${contentionSeconds} s limit`);

  const row = {
    scenario: "contention",
    route: `pull limit=${ctx.options.contentionLimit}, ${contentionPullers} pullers`,
    requests: sorted.length,
    tasks: tally.received.size,
    elapsedMs,
    rps: sorted.length / (elapsedMs / 1000),
    tasksPerSec: tally.received.size / (elapsedMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    statuses: tally.statuses,
    failures,
    ...check,
    notes,
  };
  return {
    row,
    seeding: { step: `drain queue ${contentionTasks} tasks`, rows: contentionTasks, ms: seedMs },
  };
}
