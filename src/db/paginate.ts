import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { SQLiteSelect } from "drizzle-orm/sqlite-core";
import { paginate } from "../schemas/common";
import type { Db } from "./client";
import { assertScopeFound, type Scope, scopeCheck } from "./lookups";

/** `db.select({ total: count() })` over the same rows as the page. */
type CountQuery = RunnableQuery<{ total: number }[], "sqlite">;

/**
 * One page of `rows` (an ordered `.$dynamic()` select) and the total the pagination reports,
 * read in one D1 batch so both see the same data. With `scope`, the same batch checks that the
 * project (and queue) being listed is live, and a missing one is a 404 rather than an empty page.
 */
export async function pageOf<Rows extends SQLiteSelect>(
  db: Db,
  rows: Rows,
  total: CountQuery,
  { page, pageSize }: { page: number; pageSize: number },
  scope?: Scope,
) {
  const pageRows = rows.limit(pageSize).offset((page - 1) * pageSize);
  const pageFrom = (counted: { total: number } | undefined) =>
    paginate(page, pageSize, counted?.total ?? 0);

  if (!scope) {
    const [items, [counted]] = await db.batch([pageRows, total]);
    return { items, pagination: pageFrom(counted) };
  }
  const [found, items, [counted]] = await db.batch([scopeCheck(db, scope), pageRows, total]);
  assertScopeFound(found, scope);
  return { items, pagination: pageFrom(counted) };
}
