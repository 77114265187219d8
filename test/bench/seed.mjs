// Bulk data for the benchmark, written straight into the local D1 with set-wise SQL: a recursive
// CTE generates the rows inside SQLite, so a million tasks cost a few statements, not a million
// round trips. Rows follow the real schema (src/db/schema.ts) and are all pullable server tasks.

export const PROJECT = "bench";

// Rows per INSERT: keeps each statement to a few seconds and gives progress between chunks.
const CHUNK = 100_000;

const PROMPT = "Benchmark task: summarise the linked document and report the three key risks.";

/** Creates the benchmark project and the given queues (idempotent). */
export async function seedProject(db, queueIds) {
  const now = Date.now();
  const statements = [
    db
      .prepare(
        "INSERT OR IGNORE INTO projects (project_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
      )
      .bind(PROJECT, "Benchmark", now, now),
    ...queueIds.map((queueId) =>
      db
        .prepare(
          `INSERT OR IGNORE INTO queues (project_id, queue_id, name, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .bind(PROJECT, queueId, queueId, now, now),
    ),
  ];
  await db.batch(statements);
}

// Priorities cycle high / medium / low / none (ranks 10, 5, 1, 0), so claims walk a real mixed
// order rather than one flat run. created_at grows with the row number, 1 ms apart.
function insertTasksSql() {
  return `
    WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
    INSERT INTO tasks (project_id, queue_id, task_id, name, prompt, status, tags, spec_file,
                       priority, priority_rank, source, created_at, updated_at, server_modified_at)
    SELECT ?3, ?4, ?4 || '-' || i, 'Task ' || i, ?5, 'pending', '[]', '[]',
           CASE i % 4 WHEN 0 THEN 'high' WHEN 1 THEN 'medium' WHEN 2 THEN 'low' END,
           CASE i % 4 WHEN 0 THEN 10 WHEN 1 THEN 5 WHEN 2 THEN 1 ELSE 0 END,
           'server', ?6 + i, ?6 + i, ?6 + i
    FROM n`;
}

/**
 * Appends tasks numbered `from`..`to` (inclusive) to a queue. Returns the milliseconds spent, so
 * the report can show what seeding cost.
 */
export async function seedTasks(db, queueId, from, to) {
  const started = performance.now();
  const base = Date.now() - 86_400_000;
  for (let first = from; first <= to; first += CHUNK) {
    const last = Math.min(to, first + CHUNK - 1);
    await db.prepare(insertTasksSql()).bind(first, last, PROJECT, queueId, PROMPT, base).run();
  }
  return performance.now() - started;
}

/**
 * Makes every task of the queue pullable again and drops its pull events, so each scenario
 * starts from the same state. Goes through tasks_lease_idx: only the claimed rows are touched.
 */
export async function releaseAll(db, queueId) {
  await db.batch([
    db
      .prepare(
        `UPDATE tasks SET pulled_at = NULL, pulled_by = NULL, pulled_by_key_id = NULL,
                          lease_id = NULL, lease_expires_at = NULL, pull_count = 0
         WHERE lease_id IS NOT NULL AND project_id = ? AND queue_id = ?`,
      )
      .bind(PROJECT, queueId),
    db
      .prepare("DELETE FROM pull_events WHERE project_id = ? AND queue_id = ?")
      .bind(PROJECT, queueId),
  ]);
}

/** Counts the queue's tasks that are free to claim (the partial claim index answers it). */
export async function countPullable(db, queueId) {
  const row = await db
    .prepare(
      `SELECT count(*) AS n FROM tasks
       WHERE project_id = ? AND queue_id = ? AND source = 'server' AND deleted_at IS NULL
         AND pushed_at IS NULL AND pulled_at IS NULL`,
    )
    .bind(PROJECT, queueId)
    .first();
  return row.n;
}

/** Tasks of the queue that the database says are claimed (lease held). */
export async function claimedTaskIds(db, queueId) {
  const { results } = await db
    .prepare(
      "SELECT task_id FROM tasks WHERE lease_id IS NOT NULL AND project_id = ? AND queue_id = ?",
    )
    .bind(PROJECT, queueId)
    .all();
  return results.map((row) => row.task_id);
}
