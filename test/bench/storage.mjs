import { randomUUID } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { renderPullStatements } from "./claim-sql.mjs";
import { percentile } from "./load.mjs";
import { PROJECT } from "./seed.mjs";

// The storage limit: the Worker's claim SQL run in a tight loop on the very SQLite file the local
// D1 wrote (same schema, same rows, same indexes), with no HTTP, no Worker and no D1 hop. No
// HTTP path can claim faster than this on this machine. node:sqlite is built into Node 22, so it
// needs no native addon build (better-sqlite3 would, and npm skips install scripts by default).

export const SQLITE_DRIVER = "node:sqlite (built into Node)";

const RELEASE_SQL = `UPDATE tasks SET pulled_at = NULL, pulled_by = NULL, pulled_by_key_id = NULL,
    lease_id = NULL, lease_expires_at = NULL, pull_count = 0
  WHERE lease_id IS NOT NULL AND project_id = ? AND queue_id = ?`;

function freshLease() {
  const now = Date.now();
  return { now, expiresAt: now + 3_600_000, leaseId: randomUUID() };
}

/**
 * Runs `claimOnce` back to back for `durationMs` of claiming; one call is one claim (one
 * transaction). SQLite alone can drain even a million tasks in seconds, so when a claim comes
 * back short every claim is released, off the clock, and the loop goes on.
 */
function loopFor(durationMs, limit, claimOnce, refill) {
  const latencies = [];
  let tasks = 0;
  let refillMs = 0;
  let refills = 0;
  const started = performance.now();
  const claimingMs = () => performance.now() - started - refillMs;
  while (claimingMs() < durationMs) {
    const sent = performance.now();
    const claimed = claimOnce();
    latencies.push(performance.now() - sent);
    tasks += claimed;
    if (claimed < limit) {
      const refillStarted = performance.now();
      refill();
      refillMs += performance.now() - refillStarted;
      refills += 1;
    }
  }
  const elapsedMs = claimingMs();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    tasks,
    elapsedMs,
    rps: sorted.length / (elapsedMs / 1000),
    tasksPerSec: tasks / (elapsedMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    // One thread claiming back to back: every latency already is a one-at-a-time latency.
    p50Serial: percentile(sorted, 50),
    failures: 0,
    refills,
  };
}

/** The claim statement alone, in autocommit: what the issue calls the storage limit. */
function claimOnly(db, rendered) {
  const statement = db.prepare(rendered.claim.sql);
  return () => statement.all(...rendered.claim.bind(freshLease())).length;
}

/** `update tasks`, `insert into pull_events`…: enough to tell a pull's statements apart. */
function statementLabel(entry, rendered) {
  const words = entry.sql.replaceAll('"', "").split(/\s+/);
  const [verb] = words;
  if (verb === "select") return `select ${words[words.indexOf("from") + 1]} (scope check)`;
  if (verb === "insert") return `insert into ${words[2]}`;
  return `${verb} ${words[1]}${entry === rendered.claim ? " (claim)" : ""}`;
}

const returnsRows = (entry, rendered) => entry === rendered.claim || /^select\b/.test(entry.sql);

/**
 * Every statement of a pull in one transaction, as the Worker's D1 batch runs them. Keeps the
 * time each statement takes, so a slow pull can be traced to the statement that is slow.
 */
function wholeBatch(db, rendered) {
  const statements = rendered.all.map((entry) => ({
    entry,
    label: statementLabel(entry, rendered),
    prepared: db.prepare(entry.sql),
    ms: 0,
  }));
  const claimOnce = () => {
    const lease = freshLease();
    let claimed = 0;
    db.exec("BEGIN");
    for (const statement of statements) {
      const started = performance.now();
      const { entry, prepared } = statement;
      if (!returnsRows(entry, rendered)) prepared.run(...entry.bind(lease));
      else if (entry === rendered.claim) claimed = prepared.all(...entry.bind(lease)).length;
      else prepared.all(...entry.bind(lease));
      statement.ms += performance.now() - started;
    }
    db.exec("COMMIT");
    return claimed;
  };
  claimOnce.breakdown = statements;
  return claimOnce;
}

/** EXPLAIN QUERY PLAN of each statement of one pull, in the order the batch runs them. */
function queryPlans(db, rendered) {
  const lease = freshLease();
  return rendered.all.map((entry) => ({
    statement: statementLabel(entry, rendered),
    sql: entry.sql,
    plan: db
      .prepare(`EXPLAIN QUERY PLAN ${entry.sql}`)
      .all(...entry.bind(lease))
      .map((row) => row.detail),
  }));
}

function release(db, queueId) {
  db.prepare(RELEASE_SQL).run(PROJECT, queueId);
  db.prepare("DELETE FROM pull_events WHERE project_id = ? AND queue_id = ?").run(PROJECT, queueId);
}

/**
 * Claims from `queueId` at each limit, for the same duration as the HTTP scenarios, first with
 * the claim statement alone, then (limit 10) with the whole batch of a pull.
 */
export async function runStorageLimit(file, queueId, options) {
  const db = new DatabaseSync(file);
  // No fsync per commit (WAL still syncs at checkpoints): with FULL, the disk's fsync time would
  // be the "limit", and a storage layer that batches syncs could beat it over HTTP.
  db.exec("PRAGMA synchronous = NORMAL");
  const journalMode = db.prepare("PRAGMA journal_mode").get().journal_mode;
  const rows = [];
  const variants = [
    ...[1, 10, 100].map((limit) => ({ limit, mode: "claim", build: claimOnly })),
    { limit: 10, mode: "pull batch", build: wholeBatch },
  ];

  for (const { limit, mode, build } of variants) {
    const rendered = await renderPullStatements(PROJECT, queueId, limit);
    const claimOnce = build(db, rendered);
    const refill = () => release(db, queueId);
    refill();
    loopFor(options.warmupMs, limit, claimOnce, refill);
    for (const statement of claimOnce.breakdown ?? []) statement.ms = 0;
    refill();
    const result = loopFor(options.durationMs, limit, claimOnce, refill);
    refill();

    const notes = [`SQLite ${sqliteVersion(db)}, ${journalMode}, synchronous=NORMAL, 1 thread`];
    if (result.refills > 0) notes.push(`queue refilled ${result.refills}× off the clock`);
    const perStatement = (claimOnce.breakdown ?? []).map((statement) => ({
      statement: statement.label,
      msPerPull: statement.ms / result.requests,
    }));
    rows.push({
      ...result,
      scenario: `storage ${mode} limit=${limit}`,
      route: mode === "claim" ? "claim UPDATE … RETURNING" : "every statement of one pull",
      limit,
      notes,
      ...(perStatement.length > 0 ? { perStatement, plans: queryPlans(db, rendered) } : {}),
    });
  }
  db.close();
  return rows;
}

function sqliteVersion(db) {
  return db.prepare("SELECT sqlite_version() AS v").get().v;
}
