import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import type { E2eContext } from "./context";
import { freePort, readDotenvValue, startDevServer } from "./dev-server";

const ROOT = resolve(import.meta.dirname, "../..");

// The guide's own placeholder key, so its requests run exactly as written.
const DEV_KEY = "your-api-key";
// Small enough for rate-limit.test.ts to spend in a few seconds, large enough that no other
// file's key comes near it.
const PULL_RATE_LIMIT = 20;

/**
 * Starts the service with the command the README gives users, on a free port and a fresh
 * temporary state, and returns the teardown that stops everything it started.
 */
export default async function setup(project: TestProject) {
  const stateDir = await mkdtemp(join(tmpdir(), "taskecho-e2e-"));
  const server = startDevServer({
    root: ROOT,
    port: await freePort(),
    env: { TASKECHO_STATE_DIR: stateDir, DEV_API_KEY: DEV_KEY },
    args: [
      "--var",
      `PULL_RATE_LIMIT:${PULL_RATE_LIMIT}`,
      "--var",
      "MIN_LEASE_SECONDS:1",
      "--inspector-port",
      String(await freePort()),
    ],
    logFile: join(ROOT, ".wrangler", "e2e", "server.log"),
    pgidFile: join(ROOT, ".wrangler", "e2e", "server.pgid"),
  });

  // Also when the test process exits without running its teardown (Ctrl-C).
  const removeState = () => rmSync(stateDir, { recursive: true, force: true });
  process.once("exit", removeState);
  const teardown = async () => {
    await server.stop();
    await rm(stateDir, { recursive: true, force: true });
    process.removeListener("exit", removeState);
  };

  try {
    await server.waitUntilReady();
    const adminToken = readDotenvValue(join(ROOT, ".dev.vars"), "ADMIN_TOKEN");
    if (!adminToken) throw new Error("npm run dev left no ADMIN_TOKEN in .dev.vars");
    const context: E2eContext = {
      baseUrl: server.baseUrl,
      adminToken,
      devKey: DEV_KEY,
      devKeyName: "dev-client",
      pullRateLimit: PULL_RATE_LIMIT,
    };
    project.provide("e2e", context);
  } catch (error) {
    await teardown();
    throw error;
  }

  return teardown;
}
