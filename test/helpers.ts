import { env, exports } from "cloudflare:workers";

export const ADMIN = "test-admin-token";
export const BASE = "http://taskecho.test/api/v1";

type CallOptions = {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
};

export type ApiResponse<T = any> = {
  status: number;
  headers: Headers;
  body: T;
};

/** One request to the Worker under test, as a client would send it; the admin token by default. */
export async function call<T = any>(
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? ADMIN : options.key;
  if (key !== null) headers["X-API-Key"] = key;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] ??= "application/json";
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  const res = await exports.default.fetch(`${BASE}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** Creates an API key through the admin endpoint and returns the key itself. */
export async function createKey(
  role: "client" | "manager" | "admin",
  options: { name?: string; projectId?: string } = {},
): Promise<{ id: string; key: string }> {
  const res = await call("POST", "/api-keys", {
    body: {
      name: options.name ?? `${role}-${crypto.randomUUID().slice(0, 8)}`,
      role,
      ...(options.projectId ? { project_id: options.projectId } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`createKey failed: ${JSON.stringify(res.body)}`);
  return { id: res.body.data.id, key: res.body.data.key };
}

export type SeedTask = {
  projectId: string;
  taskId: string;
  queueId?: string | null;
  name?: string;
  status?: string;
  priority?: string | null;
  priorityRank?: number;
  tags?: string[];
  source?: "server" | "client";
  createdAt?: number;
  expiresAt?: number | null;
};

/**
 * Inserts tasks straight into D1 for tests that need hundreds of them quickly. It writes real
 * rows in the real schema; nothing is mocked. Projects and queues are created as needed.
 */
export async function seedTasks(tasks: SeedTask[]): Promise<void> {
  const now = Date.now();
  const statements: D1PreparedStatement[] = [];
  const seen = new Set<string>();
  for (const t of tasks) {
    if (!seen.has(t.projectId)) {
      seen.add(t.projectId);
      statements.push(
        env.DB.prepare(
          `INSERT OR IGNORE INTO projects (project_id, name, created_at, updated_at)
           VALUES (?, ?, ?, ?)`,
        ).bind(t.projectId, t.projectId, now, now),
      );
    }
    if (t.queueId && !seen.has(`${t.projectId}/${t.queueId}`)) {
      seen.add(`${t.projectId}/${t.queueId}`);
      statements.push(
        env.DB.prepare(
          `INSERT OR IGNORE INTO queues (project_id, queue_id, name, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?)`,
        ).bind(t.projectId, t.queueId, t.queueId, now, now),
      );
    }
    const created = t.createdAt ?? now;
    statements.push(
      env.DB.prepare(
        `INSERT INTO tasks (project_id, queue_id, task_id, name, prompt, status, tags, priority,
           priority_rank, source, created_at, updated_at, server_modified_at, expires_at)
         VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        t.projectId,
        t.queueId ?? null,
        t.taskId,
        t.name ?? t.taskId,
        t.status ?? "pending",
        JSON.stringify(t.tags ?? []),
        t.priority ?? null,
        t.priorityRank ?? 0,
        t.source ?? "server",
        created,
        created,
        created,
        t.expiresAt ?? null,
      ),
    );
  }
  for (let i = 0; i < statements.length; i += 500) {
    await env.DB.batch(statements.slice(i, i + 500));
  }
}
