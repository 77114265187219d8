import type { Placeholder } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";

/** Query builders only: nothing uses Drizzle's relational `db.query`, so no schema is passed. */
const build = (d1: D1Database) => drizzle(d1);

export type Db = ReturnType<typeof build>;

const cache = new WeakMap<D1Database, Db>();

/** One Drizzle handle per D1 binding, made once per isolate rather than on every request. */
export function createDb(d1: D1Database): Db {
  let db = cache.get(d1);
  if (!db) {
    db = build(d1);
    cache.set(d1, db);
  }
  return db;
}

/**
 * A statement parameter: the value, or the Drizzle placeholder that stands for it in a statement
 * prepared once and bound per request (src/pull/prepared-pull.ts).
 */
export type Param<T> = T | Placeholder;
