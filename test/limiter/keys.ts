import { env } from "cloudflare:workers";
import { generateApiKey, hashApiKey, newId } from "../../src/auth/keys";
import { keyObjectName } from "../../src/limiter/key-record";

/**
 * A real key row written straight to D1. Creating keys through `POST /api-keys` would spend
 * the ADMIN_TOKEN's own (small) budget in these tests.
 */
export async function insertKey(
  role: "client" | "manager" | "admin" = "client",
): Promise<{ id: string; key: string }> {
  const { key, prefix } = generateApiKey();
  const id = newId("key");
  await env.DB.prepare(
    `INSERT INTO api_keys (id, name, role, project_id, key_hash, key_prefix, created_at)
     VALUES (?, ?, ?, NULL, ?, ?, ?)`,
  )
    .bind(id, `limiter-${id}`, role, await hashApiKey(key), prefix, Date.now())
    .run();
  return { id, key };
}

/** A limiter object by name (any name gives a fresh object). */
export function limiterOf(name: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name));
}

/** The object a key's requests go to, as `authenticate` addresses it: by the key's hash. */
export async function limiterOfKey(key: string) {
  return limiterOf(keyObjectName(await hashApiKey(key)));
}
