import { pullQueue } from "./client.mjs";
import { mergeRuns, runLoad } from "./load.mjs";
import { countPullable, PROJECT, releaseAll, seedTasks } from "./seed.mjs";

export const SCALE_QUEUE = "scale";

/**
 * Pulls in rounds of at most `roundRequests` for `durationMs` of pulling, releasing every claim
 * between rounds (off the clock). Pulling drains the queue, and the smallest size would be gone
 * within a second: rounds keep at least half of it pullable all the time.
 */
async function pullInRounds(ctx, durationMs, roundRequests) {
  const { concurrency, scaleLimit } = ctx.options;
  const send = (loop) => pullQueue(ctx.origin, ctx.keyFor(loop), PROJECT, SCALE_QUEUE, scaleLimit);
  const rounds = [];
  let pulledMs = 0;
  while (pulledMs < durationMs) {
    await releaseAll(ctx.db, SCALE_QUEUE);
    const round = await runLoad({
      concurrency,
      durationMs: durationMs - pulledMs,
      maxRequests: roundRequests,
      send,
    });
    rounds.push(round);
    pulledMs += round.elapsedMs;
    if (round.requests === 0) break;
  }
  await releaseAll(ctx.db, SCALE_QUEUE);
  return rounds;
}

/**
 * Pull latency at one table size: a warm-up, then the measured rounds. Every size runs the very
 * same rounds, so the only difference between them is how many tasks the table holds.
 */
async function measureAtSize(ctx, roundRequests) {
  await pullInRounds(ctx, ctx.options.warmupMs, roundRequests);
  const rounds = await pullInRounds(ctx, ctx.options.durationMs, roundRequests);
  return { result: mergeRuns(rounds), rounds: rounds.length };
}

/**
 * Grows one queue through the configured sizes (1 000 → 100 000 → 1 000 000 by default) and
 * measures pull at each. Returns the rows and the seeding time of each growth step.
 */
export async function runScaling(ctx) {
  const sizes = ctx.options.scaleSizes;
  const roundRequests = Math.max(1, Math.floor(sizes[0] / 2 / ctx.options.scaleLimit));
  const rows = [];
  const seeding = [];
  let seeded = 0;

  for (const size of sizes) {
    const ms = await seedTasks(ctx.db, SCALE_QUEUE, seeded + 1, size);
    seeding.push({ step: `scale queue ${seeded} → ${size} tasks`, rows: size - seeded, ms });
    seeded = size;
    const pullable = await countPullable(ctx.db, SCALE_QUEUE);

    const { result, rounds } = await measureAtSize(ctx, roundRequests);
    const notes = [`${pullable} pullable`, `${rounds} rounds of ≤${roundRequests} pulls`];
    rows.push({
      ...result,
      scenario: `scaling ${size}`,
      route: `pull limit=${ctx.options.scaleLimit}, ${size} tasks`,
      size,
      notes,
    });
  }
  return { rows, seeding, seeded };
}
