// `npm run dev`: the whole local setup in one command, on a fresh clone after `npm install`.
//
// 1. Makes sure `.dev.vars` holds an ADMIN_TOKEN (and a DEV_API_KEY unless the env gives one).
// 2. Applies the D1 migrations to the local database.
// 3. Writes the dev key into the local `api_keys` table as a live `client` key, and revokes any
//    other key named `dev-client` (an earlier DEV_API_KEY).
// 4. Starts `wrangler dev` with `--test-scheduled`, waits for /health and prints how to call it.
//
// Environment: PORT (8787), TASKECHO_STATE_DIR (local state, default .wrangler/state),
// DEV_API_KEY (the client key's value). Arguments after `--` go to `wrangler dev` unchanged,
// e.g. `npm run dev -- --var PULL_RATE_LIMIT:5`.

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { constants } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEV_VARS = join(ROOT, ".dev.vars");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const DEV_KEY_NAME = "dev-client";
const READY_TIMEOUT_MS = 120_000;
const KEY_PATTERN = /^[\x21-\x7E]{1,256}$/;
/** Shared with src/auth/keys.ts, so the dev key's row has the prefix any other key's row has. */
const KEY_FORMAT = JSON.parse(readFileSync(join(ROOT, "src", "auth", "key-format.json"), "utf8"));

/**
 * The child running now, so a signal that arrives during setup reaches it too.
 * @type {import("node:child_process").ChildProcess | null}
 */
let running = null;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`dev: ${message}\n`);
  process.exit(1);
}

/**
 * Wrangler 4 needs Node 22; `npm run dev` puts the `node` devDependency first on PATH.
 * @returns {string}
 */
function nodeBinary() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 22) return process.execPath;
  const local = join(ROOT, "node_modules", ".bin", "node");
  if (existsSync(local)) return local;
  return fail(`wrangler needs Node 22 or newer (this is ${process.version}); run npm install`);
}

function readPort() {
  const raw = process.env.PORT ?? "8787";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`PORT must be an integer from 1 to 65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

/**
 * `.dev.vars` is dotenv syntax; only plain `NAME=value` lines matter here.
 * @returns {Map<string, string>}
 */
function readDevVars() {
  const vars = new Map();
  if (!existsSync(DEV_VARS)) return vars;
  for (const line of readFileSync(DEV_VARS, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    vars.set(match[1], (match[2] ?? "").replace(/^(["'])(.*)\1$/, "$2"));
  }
  return vars;
}

/**
 * @param {string} name
 * @param {string} value
 */
function appendDevVar(name, value) {
  const existing = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : null;
  const header =
    existing === null
      ? "# Local secrets for `wrangler dev` (gitignored), kept by scripts/dev.mjs\n"
      : "";
  const separator = existing && !existing.endsWith("\n") ? "\n" : "";
  appendFileSync(DEV_VARS, `${separator}${header}${name}=${value}\n`, { mode: 0o600 });
}

const newSecret = () => `te_dev_${randomBytes(32).toString("base64url")}`;

/** @param {Map<string, string>} vars */
function ensureAdminToken(vars) {
  const token = vars.get("ADMIN_TOKEN");
  if (token) return token;
  const created = newSecret();
  appendDevVar("ADMIN_TOKEN", created);
  return created;
}

/**
 * The env wins over `.dev.vars`, so `DEV_API_KEY=your-api-key npm run dev` needs no edit.
 * @param {Map<string, string>} vars
 */
function ensureDevKey(vars) {
  const key = process.env.DEV_API_KEY || vars.get("DEV_API_KEY");
  if (key) {
    if (!KEY_PATTERN.test(key)) fail("DEV_API_KEY must be 1-256 printable characters, no spaces");
    return key;
  }
  const created = newSecret();
  appendDevVar("DEV_API_KEY", created);
  return created;
}

/** @param {string} value */
const sqlText = (value) => `'${value.replaceAll("'", "''")}'`;

/**
 * Same row shape as POST /api-keys writes: only the SHA-256 of the key is stored. An upsert, so
 * a dev key that was revoked or edited comes back live as the banner shows it; a dev key from an
 * earlier DEV_API_KEY is revoked, so only the printed one works.
 * @param {string} key
 */
function writeDevKeySql(key) {
  const hash = createHash("sha256").update(key).digest("hex");
  const now = String(Date.now());
  const values = [
    sqlText(`key_dev_${hash.slice(0, 16)}`),
    sqlText(DEV_KEY_NAME),
    "'client'",
    "NULL",
    sqlText(hash),
    sqlText(key.slice(0, KEY_FORMAT.shownPrefixLength)),
    now,
  ];
  const upsert =
    "INSERT INTO api_keys (id, name, role, project_id, key_hash, key_prefix, created_at) " +
    `VALUES (${values.join(", ")}) ` +
    "ON CONFLICT (key_hash) DO UPDATE SET name = excluded.name, role = excluded.role, " +
    "project_id = NULL, key_prefix = excluded.key_prefix, revoked_at = NULL";
  const revokeOthers =
    `UPDATE api_keys SET revoked_at = ${now} WHERE name = ${sqlText(DEV_KEY_NAME)} ` +
    `AND key_hash <> ${sqlText(hash)} AND revoked_at IS NULL`;
  return `${upsert}; ${revokeOthers};`;
}

/**
 * @param {string[]} args
 * @param {import("node:child_process").StdioOptions} stdio
 */
function spawnWrangler(args, stdio) {
  const child = spawn(nodeBinary(), [WRANGLER, ...args], {
    cwd: ROOT,
    stdio,
    // No telemetry, and no fetch of the `Request.cf` sample: the app reads no `cf` field, and
    // startup then needs no network at all.
    env: { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env },
  });
  running = child;
  return child;
}

/**
 * Runs a setup command quietly; its output is shown only when it fails.
 * @param {string[]} args
 * @param {string} what
 * @returns {Promise<void>}
 */
function runWrangler(args, what) {
  const child = spawnWrangler(args, ["ignore", "pipe", "pipe"]);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise((done) => {
    child.on("exit", (code, signal) => {
      if (signal) process.exit(1);
      if (code !== 0) fail(`could not ${what} (wrangler exited with ${code}):\n${output}`);
      done();
    });
  });
}

function forwardSignals() {
  /** @type {NodeJS.Signals[]} */
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) {
    process.on(signal, () => {
      if (running && running.exitCode === null) running.kill(signal);
      else process.exit(1);
    });
  }
}

/**
 * Something already listening there would answer our /health poll and hide wrangler's own
 * "address in use" failure, so check first.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function portInUse(port) {
  return new Promise((answer) => {
    const socket = createConnection({ port, host: "localhost", timeout: 1_000 });
    socket.once("connect", () => {
      socket.destroy();
      answer(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      answer(false);
    });
    socket.once("error", () => answer(false));
  });
}

/** @param {string} url */
async function isHealthy(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Polls /health until it answers, wrangler exits, or the time is up.
 * @param {string} baseUrl
 * @param {import("node:child_process").ChildProcess} child
 */
async function waitUntilReady(baseUrl, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    if (await isHealthy(`${baseUrl}/health`)) return true;
    await new Promise((wake) => setTimeout(wake, 250));
  }
  return false;
}

/** @param {{ baseUrl: string, adminToken: string, devKey: string, stateDir: string }} info */
function printBanner({ baseUrl, adminToken, devKey, stateDir }) {
  const local = relative(ROOT, stateDir);
  const shownState = local.startsWith("..") ? stateDir : local;
  /** @type {[string, string][]} */
  const rows = [
    ["Admin token", `${adminToken}  (ADMIN_TOKEN in .dev.vars)`],
    ["Client key", `${devKey}  (role client, name ${DEV_KEY_NAME})`],
    ["Local state", shownState],
    ["API docs", `${baseUrl}/docs`],
    ["Cron now", `curl "${baseUrl}/__scheduled?cron=*+*+*+*+*"`],
  ];
  const lines = [
    "",
    `TaskEcho Edge is running at ${baseUrl}`,
    "",
    ...rows.map(([label, value]) => `  ${label.padEnd(12)} ${value}`),
    "",
    "Try:",
    `  curl -X PUT "${baseUrl}/api/v1/projects/my-project" -H "X-API-Key: ${adminToken}" \\`,
    `    -H "Content-Type: application/json" -d '{"name": "My project"}'`,
    `  curl "${baseUrl}/api/v1/projects/my-project/tasks/pull?limit=10" -H "X-API-Key: ${devKey}"`,
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function main() {
  forwardSignals();
  const port = readPort();
  if (await portInUse(port)) fail(`port ${port} is in use; stop that server or set PORT`);
  const stateDir = resolve(process.env.TASKECHO_STATE_DIR || join(ROOT, ".wrangler", "state"));
  const persist = ["--local", "--persist-to", stateDir];

  const vars = readDevVars();
  const adminToken = ensureAdminToken(vars);
  const devKey = ensureDevKey(vars);

  await runWrangler(["d1", "migrations", "apply", "DB", ...persist], "apply the D1 migrations");
  const write = ["--command", writeDevKeySql(devKey)];
  await runWrangler(["d1", "execute", "DB", ...persist, ...write], "write the dev key");

  const devArgs = ["dev", "--port", String(port), "--persist-to", stateDir, "--test-scheduled"];
  const server = spawnWrangler([...devArgs, ...process.argv.slice(2)], "inherit");
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((done) => server.on("exit", (code, signal) => done({ code, signal })));

  const baseUrl = `http://localhost:${port}`;
  if (await waitUntilReady(baseUrl, server)) printBanner({ baseUrl, adminToken, devKey, stateDir });
  else if (server.exitCode === null) process.stderr.write(`dev: ${baseUrl}/health not answering\n`);

  const { code, signal } = await exited;
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
}

await main();
