import { releaseAll } from "./seed.mjs";
import { measure } from "./throughput.mjs";

// What the platform itself charges on this machine, through test/bench/probe-worker.js: the same
// D1 database and RateLimiter class as TaskEcho, called with none of TaskEcho's code. The
// `minimum pull` row is the least any pull can cost here (its key's limiter object, then one D1
// write), so `minimum pull ÷ floor` bounds what `pull ÷ floor` can reach on this machine.

const PROBES = [
  { path: "empty", scenario: "probe: empty", what: "a Response, no Hono" },
  { path: "limiter", scenario: "probe: limiter call", what: "RateLimiter.admit RPC" },
  { path: "d1-write", scenario: "probe: D1 write", what: "one-row UPDATE, own transaction" },
  { path: "minimum", scenario: "probe: minimum pull", what: "limiter call, then a D1 write" },
  {
    path: "claim-alone",
    scenario: "probe: claim alone",
    what: "limiter call, then the pull's claim statement alone (limit=10)",
    claims: true,
  },
  {
    path: "pull-storage",
    scenario: "probe: pull storage path",
    what: "limiter call, then the pull's own D1 batch (limit=10)",
    claims: true,
  },
];

async function probe(origin, path, loop) {
  const res = await fetch(`${origin}/probe/${path}?loop=${loop}`);
  const body = await res.json();
  return { status: res.status, tasks: body.tasks ?? 0 };
}

/** Measures every probe like the other scenarios: same concurrency, duration and warm-up. */
export async function runPlatform(ctx, queueId) {
  const rows = [];
  for (const { path, scenario, what, claims } of PROBES) {
    // Probes that claim start and end with every task of the queue free, like the pull rows.
    if (claims) await releaseAll(ctx.db, queueId);
    const result = await measure(ctx, (loop) => probe(ctx.origin, path, loop));
    if (claims) await releaseAll(ctx.db, queueId);
    rows.push({ ...result, scenario, route: `GET /probe/${path}: ${what}`, notes: [] });
  }
  return rows;
}
