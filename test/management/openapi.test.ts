import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("OpenAPI document", () => {
  it("describes every management route with its request body example", async () => {
    const res = await exports.default.fetch("http://taskecho.test/api/v1/openapi.json");
    const doc: any = await res.json();

    expect(res.status).toBe(200);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/projects/{projectId}",
        "/api/v1/projects/{projectId}/queues/{queueId}",
        "/api/v1/projects/{projectId}/tasks",
        "/api/v1/projects/{projectId}/queues/{queueId}/tasks/{taskId}",
        "/api/v1/projects/{projectId}/tasks/{taskId}/move",
        "/api/v1/projects/{projectId}/queues/{queueId}/reset",
        "/api/v1/projects/{projectId}/queues/{queueId}/reset-error",
        "/api/v1/projects/{projectId}/queues/{queueId}/re-run",
        "/api/v1/projects/{projectId}/queues/{queueId}/tasks/{taskId}/re-run",
      ]),
    );
    const create = doc.paths["/api/v1/projects/{projectId}/tasks"].post;
    expect(create.requestBody.content["application/json"].schema.example.task_id).toBe("task-001");
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "404", "409", "429"]),
    );
  });
});
