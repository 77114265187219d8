import { rmSync } from "node:fs";
import { cpus } from "node:os";
import { renderPullStatements, SENTINEL } from "./claim-sql.mjs";
import { createClientKeys } from "./client.mjs";
import { DRAIN_QUEUE, runContention } from "./contention.mjs";
import { workerdCpuClock } from "./cpu.mjs";
import { assertLocal } from "./load.mjs";
import { readOptions } from "./options.mjs";
import { runPlatform } from "./platform.mjs";
import {
  evaluateTargets,
  explainRatios,
  formatBreakdown,
  formatSeeding,
  formatTable,
  formatTargets,
  writeResults,
} from "./report.mjs";
import { runScaling, SCALE_QUEUE } from "./scaling.mjs";
import { PROJECT, seedProject } from "./seed.mjs";
import { runStorageLimit, SQLITE_DRIVER } from "./storage.mjs";
import { runAuthFloor, runFloor, runPull } from "./throughput.mjs";
import { d1SqliteFile, startWorker } from "./worker.mjs";

// `npm run bench`: starts the Worker in workerd on a fresh local D1, measures every scenario of
// the performance issue in one run, prints one table and the target ratios, writes JSON.

// The limit of the target ratio (pull limit=10 ÷ floor), which the probe's pull path mirrors.
const PROBE_PULL_LIMIT = 10;

const say = (line) => process.stdout.write(`${line}\n`);

function progress(row) {
  const tasks = row.tasksPerSec ? `, ${Math.round(row.tasksPerSec)} tasks/s` : "";
  say(`  ${row.scenario}: ${Math.round(row.rps)} req/s${tasks}, p50 ${row.p50?.toFixed(2)} ms`);
  return row;
}

/** Everything that needs the running Worker. Returns rows and seeding steps. */
async function runHttpScenarios(worker, options) {
  const origin = worker.url;
  assertLocal(origin);
  await seedProject(worker.db, [SCALE_QUEUE, DRAIN_QUEUE]);
  const keyCount = options.sharedKey ? 1 : Math.max(options.concurrency, options.contentionPullers);
  const keys = await createClientKeys(origin, PROJECT, keyCount);
  const keyFor = (loop) => keys[loop % keys.length];
  const ctx = { origin, db: worker.db, options, keyFor, cpuClock: workerdCpuClock() };

  const rows = [];
  say("Floors");
  rows.push(progress(await runFloor(ctx)));
  rows.push(progress(await runAuthFloor(ctx)));

  say("Scaling (seeding as it grows)");
  const scaling = await runScaling(ctx);
  for (const row of scaling.rows) rows.push(progress(row));

  say(`Pull throughput (queue of ${scaling.seeded.toLocaleString("en-US")} tasks)`);
  for (const limit of [1, 10, 100]) rows.push(progress(await runPull(ctx, SCALE_QUEUE, limit)));

  say("Platform (probe Worker: TaskEcho's bindings without TaskEcho's code)");
  for (const row of await runPlatform(ctx, SCALE_QUEUE)) rows.push(progress(row));

  say("Contention");
  const contention = await runContention(ctx);
  rows.push(progress(contention.row));

  return { rows, scalingRows: scaling.rows, seeding: [...scaling.seeding, contention.seeding] };
}

function describeRun(options, worker) {
  return {
    date: new Date().toISOString(),
    via: worker.via,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    sqliteDriver: SQLITE_DRIVER,
    keys: options.sharedKey ? "one shared client key" : "one client key per concurrent loop",
    stateDir: worker.persistDir,
    options,
  };
}

/** Runs every scenario: over HTTP while workerd runs, then the storage limit once it stopped. */
async function measureAll(worker, options) {
  let http;
  try {
    http = await runHttpScenarios(worker, options);
  } finally {
    await worker.stop();
  }

  say("Storage limit (Node, SQLite directly)");
  const storageRows = await runStorageLimit(d1SqliteFile(worker.persistDir), SCALE_QUEUE, options);
  for (const row of storageRows) progress(row);
  return { ...http, rows: [...http.rows, ...storageRows] };
}

function report(options, worker, measured) {
  const { rows, seeding, scalingRows } = measured;
  const byName = Object.fromEntries(rows.map((row) => [row.scenario, row]));
  const targets = evaluateTargets(byName, scalingRows);
  const ratios = explainRatios(byName);

  say(`\nSeeding\n${formatSeeding(seeding)}`);
  say(`\n${formatTable(rows)}\n`);
  say(`${formatBreakdown(byName["storage pull batch limit=10"])}\n`);
  say(formatTargets(targets, ratios));
  if (worker.logs.errors.length > 0) say(`\nWorker error logs:\n${worker.logs.errors.join("\n")}`);

  const run = describeRun(options, worker);
  const workerLogs = { lines: worker.logs.lines, errors: worker.logs.errors };
  writeResults(options.out, { run, seeding, rows, targets, ratios, workerLogs });
  say(`\nServed by: ${worker.via}. Results written to ${options.out}`);
  return targets;
}

async function main() {
  const options = readOptions();
  say(`TaskEcho bench${options.quick ? " (QUICK: small sizes, short runs)" : ""}`);
  say(`concurrency ${options.concurrency}, ${options.durationMs} ms per scenario\n`);

  // The probe Worker runs the pull's own statements, rendered here from src/pull/claim.ts.
  const rendered = await renderPullStatements(PROJECT, SCALE_QUEUE, PROBE_PULL_LIMIT);
  const worker = await startWorker({
    sentinel: SENTINEL,
    statements: rendered.all.map(({ sql, params }) => ({ sql, params })),
    claimIndex: rendered.claimIndex,
  });
  say(`Worker: ${worker.url} — ${worker.via}; migrations ${worker.migrations.join(", ")}`);
  say(`Local D1 and Durable Object state: ${worker.persistDir} (set TMPDIR to move it)\n`);
  let targets;
  try {
    targets = report(options, worker, await measureAll(worker, options));
  } finally {
    // A million tasks are a few hundred MB: never leave them behind, even after a failure.
    rmSync(worker.persistDir, { recursive: true, force: true });
  }

  // Speed depends on the machine; correctness does not. Only a lost or duplicated task fails.
  const contention = targets[targets.length - 1];
  if (!contention.pass) process.exitCode = 1;
}

await main();
