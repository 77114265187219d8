import type { Principal } from "../auth/principal";

/** How long a key object trusts what it read from D1 before reading it again. */
export const KEY_RECHECK_MS = 60_000;

/** The object of a key is named by the key's hash: a request only carries the key itself. */
export const keyObjectName = (keyHash: string) => `key:${keyHash}`;

/** The ADMIN_TOKEN has no row; its object is named after its principal's key id. */
export const ADMIN_TOKEN_OBJECT = "admin-token";

type KeyRow = {
  id: string;
  name: string;
  role: Principal["role"];
  project_id: string | null;
};

/** Reads the live (unrevoked) key with this hash from D1, or null. */
export async function readKey(db: D1Database, keyHash: string): Promise<Principal | null> {
  const row = await db
    .prepare(
      "SELECT id, name, role, project_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
    )
    .bind(keyHash)
    .first<KeyRow>();
  if (!row) return null;
  return { keyId: row.id, name: row.name, role: row.role, projectId: row.project_id };
}
