// The platform probes: a second Worker in the benchmark's workerd, next to TaskEcho, that calls
// the same bindings with none of TaskEcho's own code (no Hono, zod, Drizzle or JSON building).
// Each route does one thing a pull needs, so the run can show what the platform charges for it
// on this machine, and the least any pull must cost here.
//
// Bindings (set by worker.mjs): DB is TaskEcho's own local D1 database, RATE_LIMITER is
// TaskEcho's own RateLimiter class (src/limiter/rate-limiter.ts), PULL_STATEMENTS is the pull's
// SQL rendered from src/pull/claim.ts (claim-sql.mjs), PROJECT the bench project.

// The bench raises every limit far above what it can send: the limiter does its full work
// (read the window, record the request, commit) and always admits.
const UNLIMITED_PULLS = { name: "pull", limit: 1_000_000_000, windowSeconds: 60 };

/** The limiter object of one load loop, as each bench agent has its own key and object. */
function limiterOf(env, url) {
  const loop = url.searchParams.get("loop") ?? "0";
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`probe:${loop}`));
}

/** One D1 write transaction touching one row: the smallest durable write a claim can be. */
function touchProject(env) {
  return env.DB.prepare("UPDATE projects SET updated_at = ? WHERE project_id = ?")
    .bind(Date.now(), env.PROJECT)
    .run();
}

/**
 * The pull's statements (or, with `claimOnly`, its claim statement alone) bound to a fresh lease
 * the way the Worker binds them, in one D1 batch. Resolves to the claim's result.
 */
async function runPullStatements(env, { claimOnly }) {
  const { sentinel, statements, claimIndex } = env.PULL_STATEMENTS;
  const now = Date.now();
  const fresh = new Map([
    [sentinel.now, now],
    [sentinel.expiresAt, now + 3_600_000],
    [sentinel.leaseId, crypto.randomUUID()],
  ]);
  const chosen = claimOnly ? [statements[claimIndex]] : statements;
  const bound = chosen.map(({ sql, params }) =>
    env.DB.prepare(sql).bind(
      ...params.map((value) => (fresh.has(value) ? fresh.get(value) : value)),
    ),
  );
  const results = await env.DB.batch(bound);
  return results[claimOnly ? 0 : claimIndex];
}

const PROBES = {
  "/probe/empty": async () => ({}),
  "/probe/limiter": async (env, url) => {
    await limiterOf(env, url).admit(UNLIMITED_PULLS);
    return {};
  },
  "/probe/d1-write": async (env) => {
    await touchProject(env);
    return {};
  },
  // What no pull can do without: its key's limiter object, then one D1 write transaction.
  "/probe/minimum": async (env, url) => {
    await limiterOf(env, url).admit(UNLIMITED_PULLS);
    await touchProject(env);
    return {};
  },
  // The limiter, then the pull's claim statement alone: what the other statements add shows
  // against the next probe.
  "/probe/claim-alone": async (env, url) => {
    await limiterOf(env, url).admit(UNLIMITED_PULLS);
    const claim = await runPullStatements(env, { claimOnly: true });
    return { tasks: claim.results.length };
  },
  // The pull's whole storage path: the limiter, then the pull's own D1 batch.
  "/probe/pull-storage": async (env, url) => {
    await limiterOf(env, url).admit(UNLIMITED_PULLS);
    const claim = await runPullStatements(env, { claimOnly: false });
    return { tasks: claim.results.length };
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const probe = PROBES[url.pathname];
    if (!probe) return new Response("No such probe", { status: 404 });
    return Response.json(await probe(env, url));
  },
};
