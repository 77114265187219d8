import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const ORIGIN = "http://taskecho.test";

async function openApiDocument() {
  const res = await exports.default.fetch(`${ORIGIN}/api/v1/openapi.json`);
  return { status: res.status, doc: await res.json<any>() };
}

describe("GET /api/v1/openapi.json", () => {
  it("answers without a key", async () => {
    const { status, doc } = await openApiDocument();

    expect(status).toBe(200);
    expect(doc.openapi).toBe("3.1.0");
  });

  it.each([
    ["post", "/api/v1/submit"],
    ["get", "/api/v1/projects"],
    ["get", "/api/v1/projects/{projectId}"],
    ["get", "/api/v1/projects/{projectId}/queues"],
    ["get", "/api/v1/projects/{projectId}/queues/{queueId}"],
    ["get", "/api/v1/projects/{projectId}/tasks"],
    ["get", "/api/v1/projects/{projectId}/tasks/{taskId}"],
    ["get", "/api/v1/projects/{projectId}/queues/{queueId}/tasks"],
    ["get", "/api/v1/projects/{projectId}/queues/{queueId}/tasks/{taskId}"],
    ["get", "/api/v1/api-keys"],
  ])("documents %s %s", async (method, path) => {
    const { doc } = await openApiDocument();

    expect(doc.paths[path]?.[method]).toBeDefined();
  });

  it("documents the submit body with the guide's example", async () => {
    const { doc } = await openApiDocument();

    const schema = doc.components.schemas.SubmitRequest;
    expect(schema.required).toEqual(
      expect.arrayContaining(["project_id", "project_name", "queue_id", "queue_name", "tasks"]),
    );
    expect(schema.example.tasks[0].id).toBe("task-001");
  });

  it("documents the conflict and size errors of submit", async () => {
    const { doc } = await openApiDocument();

    const responses = doc.paths["/api/v1/submit"].post.responses;
    expect(Object.keys(responses)).toEqual(
      expect.arrayContaining(["200", "400", "403", "409", "413"]),
    );
  });

  it("documents the task list filters as query parameters", async () => {
    const { doc } = await openApiDocument();

    const params = doc.paths["/api/v1/projects/{projectId}/tasks"].get.parameters;
    const names = params.map((p: any) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "status",
        "source",
        "queue_id",
        "pulled_status",
        "include_deleted",
        "page",
        "pageSize",
      ]),
    );
  });
});

describe("GET /docs", () => {
  it("answers 200 with an HTML page and no key", async () => {
    const res = await exports.default.fetch(`${ORIGIN}/docs`);

    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(await res.text()).toContain("/api/v1/openapi.json");
  });
});
