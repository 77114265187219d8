import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname } from "node:path";

const READY_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 10_000;

export type DevServerOptions = {
  root: string;
  port: number;
  /** Extra environment for `npm run dev` (PORT, TASKECHO_STATE_DIR, DEV_API_KEY…). */
  env: Record<string, string>;
  /** Passed after `--`, so they reach `wrangler dev`. */
  args: string[];
  /** Where the server's own output goes; read when it fails to start. */
  logFile: string;
  /** Holds the process group id while the server runs, for .ci/run's last-resort cleanup. */
  pgidFile: string;
};

export type DevServer = {
  baseUrl: string;
  waitUntilReady(): Promise<void>;
  stop(): Promise<void>;
};

/** A port nobody listens on right now (the OS picks it; the race until wrangler binds is tiny). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not find a free port"));
      });
    });
  });
}

/** Vitest marks its own process; the server should see the shell a user has, not that. */
function userEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of Object.keys(env)) {
    if (name.startsWith("VITEST") || name === "NODE_ENV" || name === "TEST") delete env[name];
  }
  return env;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await sleep(100);
  }
  return !groupAlive(pgid);
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts `npm run dev -- <args>` in its own process group, so that stopping it reaches npm, the
 * dev script, wrangler and workerd at once, whichever of them is slow to pass a signal on.
 */
export function startDevServer(options: DevServerOptions): DevServer {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, "w");
  const child: ChildProcess = spawn("npm", ["run", "dev", "--", ...options.args], {
    cwd: options.root,
    detached: true,
    stdio: ["ignore", log, log],
    env: userEnvironment({ ...options.env, PORT: String(options.port) }),
  });
  closeSync(log);
  const pgid = child.pid;
  if (pgid === undefined) throw new Error("could not start npm run dev");
  writeFileSync(options.pgidFile, `${pgid}\n`);

  let stopped = false;
  // Last resort when the test process dies without running its teardown.
  const killOnExit = () => {
    if (stopped) return;
    signalGroup(pgid, "SIGKILL");
    rmSync(options.pgidFile, { force: true });
  };
  process.once("exit", killOnExit);

  const baseUrl = `http://localhost:${options.port}`;
  return {
    baseUrl,
    async waitUntilReady() {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        if (await answersHealth(`${baseUrl}/health`)) return;
        await sleep(250);
      }
      const why = child.exitCode === null ? "did not answer /health in time" : "exited";
      throw new Error(`npm run dev ${why}; last output:\n${tail(options.logFile, 40)}`);
    },
    async stop() {
      if (stopped) return;
      signalGroup(pgid, "SIGTERM");
      if (!(await waitForGroupExit(pgid, STOP_GRACE_MS))) {
        signalGroup(pgid, "SIGKILL");
        await waitForGroupExit(pgid, STOP_GRACE_MS);
      }
      stopped = true;
      process.removeListener("exit", killOnExit);
      rmSync(options.pgidFile, { force: true });
    },
  };
}

/** Reads one `NAME=value` line of a dotenv file such as `.dev.vars`. */
export function readDotenvValue(file: string, name: string): string | undefined {
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] === name) return match[2]?.replace(/^(["'])(.*)\1$/, "$2");
  }
  return undefined;
}
