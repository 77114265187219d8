import { fillPlaceholders, type Query } from "drizzle-orm";
import type { Db } from "./client";

/** A Drizzle query builder, which every statement of a batch is. */
type Preparable = {
  prepare(): { getQuery(): Query; mapAllResult(result: unknown, isFromBatch?: boolean): unknown };
};

type PreparedStatement = {
  query: Query;
  d1: D1PreparedStatement;
  mapRows(result: D1Result): unknown;
};

/**
 * Statements Drizzle rendered once, with a `sql.placeholder` wherever a call's values go. For a
 * hot batch whose SQL text depends on a few choices only (its shape): rendering it with Drizzle
 * on every call costs more CPU than binding values into the same text.
 */
export type PreparedBatch = { statements: PreparedStatement[] };

const byDb = new WeakMap<Db, Map<string, PreparedBatch>>();

/**
 * The batch of `shape`, built by `build` on first use and kept for the life of the isolate.
 * `shape` must name every choice that changes the SQL text; values never belong in it.
 */
export function preparedBatch(
  db: Db,
  shape: string,
  build: () => readonly Preparable[],
): PreparedBatch {
  let byShape = byDb.get(db);
  if (!byShape) {
    byShape = new Map();
    byDb.set(db, byShape);
  }
  let batch = byShape.get(shape);
  if (!batch) {
    const statements = build().map((builder) => {
      const prepared = builder.prepare();
      const query = prepared.getQuery();
      return {
        query,
        d1: db.$client.prepare(query.sql),
        mapRows: (result: D1Result) => prepared.mapAllResult(result, true),
      };
    });
    batch = { statements };
    byShape.set(shape, batch);
  }
  return batch;
}

/**
 * Binds `values` by placeholder name and runs every statement in one D1 batch. `rows(i)` maps
 * statement i's result exactly as `db.batch` would, typed as the caller says it is.
 */
export async function runPreparedBatch(
  db: Db,
  batch: PreparedBatch,
  values: Record<string, unknown>,
): Promise<{ rows<T>(index: number): T[] }> {
  const results = await db.$client.batch(
    batch.statements.map(({ query, d1 }) => d1.bind(...fillPlaceholders(query.params, values))),
  );
  return {
    rows: <T>(index: number) => {
      const statement = batch.statements[index];
      const result = results[index];
      if (!statement || !result) throw new Error(`No statement ${index} in this batch`);
      return statement.mapRows(result) as T[];
    },
  };
}
