// Every knob of `npm run bench`, from flags (`npm run bench -- --quick --concurrency=32`) or the
// environment (`BENCH_QUICK=1 BENCH_CONCURRENCY=32 npm run bench`). Flags win.

const FULL = {
  durationMs: 5000,
  warmupMs: 500,
  scaleSizes: [1_000, 100_000, 1_000_000],
  contentionTasks: 20_000,
  contentionSeconds: 300,
};

// Small enough to finish in well under a minute on two busy cores; the sizes are labelled in the
// output, so a quick run is never mistaken for the real one.
const QUICK = {
  durationMs: 1500,
  warmupMs: 200,
  scaleSizes: [1_000, 10_000, 100_000],
  contentionTasks: 2_000,
  contentionSeconds: 120,
};

function readFlags(argv) {
  const flags = {};
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`Unknown argument ${arg}; use --name=value`);
    flags[match[1]] = match[2] ?? "1";
  }
  return flags;
}

function pick(flags, flag, envName) {
  return flags[flag] ?? process.env[envName];
}

function positiveInt(raw, name, fallback) {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function sizeList(raw, fallback) {
  if (raw === undefined || raw === "") return fallback;
  return raw.split(",").map((part) => positiveInt(part.trim(), "BENCH_SCALE_SIZES", 0));
}

const truthy = (raw) => raw !== undefined && raw !== "" && raw !== "0" && raw !== "false";

/** Resolves the run's settings; throws with the offending name on a malformed value. */
export function readOptions(argv = process.argv.slice(2)) {
  const flags = readFlags(argv);
  const quick = truthy(pick(flags, "quick", "BENCH_QUICK"));
  const base = quick ? QUICK : FULL;
  const int = (flag, envName, fallback) =>
    positiveInt(pick(flags, flag, envName), envName, fallback);

  return {
    quick,
    concurrency: int("concurrency", "BENCH_CONCURRENCY", 16),
    durationMs: int("duration", "BENCH_DURATION_MS", base.durationMs),
    warmupMs: int("warmup", "BENCH_WARMUP_MS", base.warmupMs),
    scaleSizes: sizeList(pick(flags, "scale-sizes", "BENCH_SCALE_SIZES"), base.scaleSizes),
    scaleLimit: int("scale-limit", "BENCH_SCALE_LIMIT", 10),
    contentionPullers: int("pullers", "BENCH_CONTENTION_PULLERS", 64),
    contentionTasks: int("contention-tasks", "BENCH_CONTENTION_TASKS", base.contentionTasks),
    contentionLimit: int("contention-limit", "BENCH_CONTENTION_LIMIT", 10),
    contentionSeconds: int(
      "contention-seconds",
      "BENCH_CONTENTION_SECONDS",
      base.contentionSeconds,
    ),
    sharedKey: truthy(pick(flags, "shared-key", "BENCH_SHARED_KEY")),
    out: pick(flags, "out", "BENCH_OUT") ?? ".bench/results.json",
  };
}
