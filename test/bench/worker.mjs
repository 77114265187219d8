import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { PROJECT as PROBE_PROJECT } from "./seed.mjs";

// The Miniflare (and so the workerd build) that wrangler itself runs, which may be newer than the
// copy @cloudflare/vitest-plugin hoists to node_modules/miniflare.
const fromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler"));
const { convertV4MiniflareOptions, Miniflare } = await import(
  pathToFileURL(fromWrangler.resolve("miniflare")).href
);

export const ADMIN_TOKEN = "bench-admin-token";

// Inside the project on purpose: workerd refuses module paths that climb out of its working
// directory with "..", so the bundle cannot live in the OS temp dir.
const BUNDLE_DIR = ".bench/worker";
const PROBE_SCRIPT = "test/bench/probe-worker.js";

// Far above anything two cores can send, so the limiter does its full work on every request
// (the Durable Object round trip) yet never answers 429.
const UNLIMITED = "1000000000";

/** Bundles src/index.ts exactly as `wrangler deploy` would, with wrangler.toml's settings. */
function bundleWorker() {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const wrangler = join("node_modules", "wrangler", "bin", "wrangler.js");
  execFileSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", BUNDLE_DIR], {
    stdio: "pipe",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return join(BUNDLE_DIR, "index.js");
}

/**
 * The Worker logs one JSON line per request. Miniflare would print each one; at thousands of
 * requests a second that is the benchmark's own noise, so lines are counted and only errors
 * are kept (the first few, for the report).
 */
function logSink() {
  const sink = { lines: 0, errors: [] };
  sink.handle = (entry) => {
    sink.lines += 1;
    const isError = entry.level === "error" || /"level":"error"/.test(entry.message);
    if (isError && sink.errors.length < 5) sink.errors.push(entry.message.slice(0, 500));
  };
  return sink;
}

/** Applies every migrations/*.sql in order, one D1 batch per file. */
async function applyMigrations(db) {
  const files = readdirSync("migrations")
    .filter((name) => name.endsWith(".sql"))
    .sort();
  for (const file of files) {
    const statements = readFileSync(join("migrations", file), "utf8")
      .split("--> statement-breakpoint")
      .map((text) => text.trim())
      .filter(Boolean);
    await db.batch(statements.map((text) => db.prepare(text)));
  }
  return files;
}

const APP_NAME = "taskecho";

/** TaskEcho itself: wrangler.toml's bindings, vars and compatibility settings. */
function appWorker(scriptPath) {
  // modulesRules only matter for unbundled sources; the bundle is one ES module.
  const { modulesRules: _bundled, ...fromToml } =
    unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions;
  return {
    ...fromToml,
    name: APP_NAME,
    modules: true,
    scriptPath,
    bindings: {
      ...fromToml.bindings,
      ADMIN_TOKEN,
      PULL_RATE_LIMIT: UNLIMITED,
      API_RATE_LIMIT: UNLIMITED,
    },
  };
}

/**
 * test/bench/probe-worker.js, answering `/probe/*` in the same workerd: TaskEcho's own D1 database
 * and RateLimiter class, without TaskEcho's code in between.
 */
function probeWorker(app, pullStatements) {
  return {
    name: "probe",
    modules: true,
    scriptPath: PROBE_SCRIPT,
    compatibilityDate: app.compatibilityDate,
    compatibilityFlags: app.compatibilityFlags,
    routes: ["*/probe/*"],
    d1Databases: app.d1Databases,
    durableObjects: {
      RATE_LIMITER: { ...app.durableObjects.RATE_LIMITER, scriptName: APP_NAME },
    },
    bindings: { PROJECT: PROBE_PROJECT, PULL_STATEMENTS: pullStatements },
  };
}

function miniflareOptions(scriptPath, persistDir, logs, pullStatements) {
  const app = appWorker(scriptPath);
  return convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    resourcePersistencePath: persistDir,
    handleStructuredLogs: logs.handle,
    // The app first: requests that match no route go to the first worker.
    workers: [app, probeWorker(app, pullStatements)],
  });
}

/**
 * Starts the bundled Worker in workerd through Miniflare, with the local D1 and the rate-limiter
 * Durable Object persisted to a fresh temp dir, and the probe Worker beside it (`pullStatements`:
 * the pull's SQL for its `/probe/pull-storage`). `url` is workerd's own socket: requests reach
 * the Worker without passing through a Node proxy (unlike `wrangler dev`).
 */
export async function startWorker(pullStatements) {
  const scriptPath = bundleWorker();
  const persistDir = mkdtempSync(join(tmpdir(), "taskecho-bench-"));
  const logs = logSink();
  const mf = new Miniflare(miniflareOptions(scriptPath, persistDir, logs, pullStatements));

  let url;
  let db;
  let migrations;
  try {
    url = await mf.ready;
    db = await mf.getD1Database("DB");
    migrations = await applyMigrations(db);
  } catch (error) {
    await mf.dispose();
    throw error;
  }

  return {
    url: url.origin,
    via: "workerd direct (Miniflare, no Node proxy)",
    db,
    persistDir,
    migrations,
    logs,
    stop: () => mf.dispose(),
  };
}

/** The SQLite file behind the local D1, for the storage-limit run once workerd has stopped. */
export function d1SqliteFile(persistDir) {
  const dir = join(persistDir, "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((name) => name.endsWith(".sqlite"));
  const databases = files.filter((name) => name !== "metadata.sqlite");
  if (databases.length !== 1) throw new Error(`Expected one D1 file in ${dir}, found ${files}`);
  return join(dir, databases[0]);
}
