import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { SQLiteSelect } from "drizzle-orm/sqlite-core";
import { paginate } from "../schemas/common";
import type { Db } from "./client";

/** `db.select({ total: count() })` over the same rows as the page. */
type CountQuery = RunnableQuery<{ total: number }[], "sqlite">;

/**
 * One page of `rows` (an ordered `.$dynamic()` select) and the total the pagination reports,
 * read in one D1 batch so both see the same data.
 */
export async function pageOf<Rows extends SQLiteSelect>(
  db: Db,
  rows: Rows,
  total: CountQuery,
  { page, pageSize }: { page: number; pageSize: number },
) {
  const [items, [counted]] = await db.batch([
    rows.limit(pageSize).offset((page - 1) * pageSize),
    total,
  ]);
  return { items, pagination: paginate(page, pageSize, counted?.total ?? 0) };
}
