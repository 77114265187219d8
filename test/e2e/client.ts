import { expect, inject } from "vitest";
import "./context";

export const e2e = inject("e2e");

export type Reply<T = any> = {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  body: T;
};

type RequestOptions = {
  key?: string;
  /** Sent as is when a string (the guide's bodies, byte for byte), else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
};

/** One HTTP request to the running server, the way curl would send it. */
export async function api<T = any>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers["X-API-Key"] = options.key;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] ??= "application/json";
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }

  const response = await fetch(`${e2e.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (e.g. /__scheduled answers plain text): keep the text.
  }
  return { method, path, status: response.status, headers: response.headers, body: parsed as T };
}

/** Asserts the status, and on failure shows the request and the whole answer. */
export function expectStatus(reply: Reply, status: number): void {
  const shown = `${reply.method} ${reply.path} -> ${reply.status} ${JSON.stringify(reply.body)}`;
  expect(reply.status, shown).toBe(status);
}

/** A task list entry may be an id or an object with `task_id`; this reads either. */
export const idsOf = (items: unknown[]): string[] =>
  items.map((item) =>
    typeof item === "string" ? item : String((item as { task_id?: unknown }).task_id),
  );

export const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export async function createKey(
  role: "client" | "manager" | "admin",
  name: string,
): Promise<string> {
  const reply = await api("POST", "/api/v1/api-keys", {
    key: e2e.adminToken,
    body: { name, role },
  });
  expectStatus(reply, 201);
  return reply.body.data.key;
}

type NewTask = {
  task_id: string;
  name: string;
  prompt: string;
  status?: string;
  priority?: string | number;
  tags?: string[];
};

/** What an operator does before clients can pull: a manager key, then projects and tasks. */
export async function createOperator(name: string) {
  const key = await createKey("manager", name);

  return {
    key,
    async putProject(projectId: string, projectName: string) {
      const reply = await api("PUT", `/api/v1/projects/${projectId}`, {
        key,
        body: { name: projectName },
      });
      expect([200, 201], `PUT project: ${JSON.stringify(reply.body)}`).toContain(reply.status);
    },
    async putQueue(projectId: string, queueId: string, queueName: string) {
      const reply = await api("PUT", `/api/v1/projects/${projectId}/queues/${queueId}`, {
        key,
        body: { name: queueName },
      });
      expect([200, 201], `PUT queue: ${JSON.stringify(reply.body)}`).toContain(reply.status);
    },
    async createTask(projectId: string, queueId: string | null, task: NewTask) {
      const under = queueId === null ? "" : `/queues/${queueId}`;
      const reply = await api("POST", `/api/v1/projects/${projectId}${under}/tasks`, {
        key,
        body: task,
      });
      expectStatus(reply, 201);
      expect(reply.body.data.source).toBe("server");
    },
  };
}
