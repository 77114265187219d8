// A closed-loop load generator: `concurrency` loops, each sending its next request as soon as the
// previous answer is read, until the deadline or the request budget runs out. Latency is measured
// per request from send to the last byte of the body.

const ONLY_LOCAL = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/;

/** Refuses any target but this machine: the benchmark must never load a real deployment. */
export function assertLocal(origin) {
  if (!ONLY_LOCAL.test(origin)) throw new Error(`Refusing non-local benchmark target ${origin}`);
}

/** The p-th percentile (0–100) of an ascending array, nearest-rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function summarise(samples, elapsedMs) {
  const sorted = Float64Array.from(samples.latencies).sort();
  const seconds = elapsedMs / 1000;
  return {
    requests: sorted.length,
    tasks: samples.tasks,
    elapsedMs,
    rps: sorted.length / seconds,
    tasksPerSec: samples.tasks / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    statuses: samples.statuses,
    failures: samples.failures,
    latencies: sorted,
  };
}

/** A refused or reset connection is an outcome to count (`network`), not a crash of the run. */
export async function sendSafely(send, index) {
  try {
    return await send(index);
  } catch {
    return { status: "network", tasks: 0, taskIds: [] };
  }
}

/**
 * Runs `send(loopIndex)` from `concurrency` loops for `durationMs` (and at most `maxRequests`
 * requests in all). `send` resolves to `{status, tasks?}`; statuses other than 200 are counted,
 * never retried, and never hidden.
 */
export async function runLoad({ concurrency, durationMs, maxRequests = Infinity, send }) {
  const samples = { latencies: [], tasks: 0, statuses: {}, failures: 0 };
  let issued = 0;
  const started = performance.now();
  const deadline = started + durationMs;

  async function loop(index) {
    while (performance.now() < deadline && issued < maxRequests) {
      issued += 1;
      const sent = performance.now();
      const outcome = await sendSafely(send, index);
      samples.latencies.push(performance.now() - sent);
      samples.tasks += outcome.tasks ?? 0;
      samples.statuses[outcome.status] = (samples.statuses[outcome.status] ?? 0) + 1;
      if (outcome.status !== 200) samples.failures += 1;
    }
  }

  await Promise.all(Array.from({ length: concurrency }, (_, index) => loop(index)));
  return summarise(samples, performance.now() - started);
}

/** Merges several runs (rounds of one scenario) into one summary over all their samples. */
export function mergeRuns(runs) {
  const latencies = [];
  const statuses = {};
  let tasks = 0;
  let failures = 0;
  let elapsedMs = 0;
  for (const run of runs) {
    for (const latency of run.latencies) latencies.push(latency);
    tasks += run.tasks;
    failures += run.failures;
    elapsedMs += run.elapsedMs;
    for (const [status, count] of Object.entries(run.statuses)) {
      statuses[status] = (statuses[status] ?? 0) + count;
    }
  }
  return summarise({ latencies, tasks, statuses, failures }, elapsedMs);
}
