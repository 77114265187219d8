// Every request of the user's guide (pull-api-guide.zh.md), copied as written: method, path with
// query, headers and body byte for byte. Shared by the workerd guide test (test/pull) and the
// end-to-end suite (test/e2e); only the host differs.

export type GuideRequest = {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
};

const KEY = { "X-API-Key": "your-api-key" };
const JSON_KEY = { ...KEY, "Content-Type": "application/json" };

export const GUIDE = {
  pullProjectTasks: {
    method: "GET",
    path: "/api/v1/projects/my-project/tasks/pull?limit=10",
    headers: KEY,
  },
  pullQueueTasks: {
    method: "GET",
    path: "/api/v1/projects/my-project/queues/my-queue/tasks/pull?limit=10",
    headers: KEY,
  },
  pullPending: {
    method: "GET",
    path: "/api/v1/projects/my-project/tasks/pull?status=pending&limit=10",
    headers: KEY,
  },
  pullBatch: {
    method: "POST",
    path: "/api/v1/projects/my-project/tasks/pull/batch",
    headers: JSON_KEY,
    body: `{
    "filters": {
      "status": "pending",
      "limit": 20
    }
  }`,
  },
  release: {
    method: "POST",
    path: "/api/v1/projects/my-project/tasks/task-001/pull/release",
    headers: JSON_KEY,
    body: "{}",
  },
  submit: {
    method: "POST",
    path: "/api/v1/submit",
    headers: JSON_KEY,
    body: `{
    "project_id": "my-project",
    "project_name": "我的项目",
    "queue_id": "my-queue",
    "queue_name": "我的队列",
    "tasks": [{
      "id": "task-001",
      "name": "更新后的任务",
      "prompt": "更新后的提示",
      "status": "done",
      "report": ".flow/tasks/report/task-001.md"
    }]
  }`,
  },
  stats: {
    method: "GET",
    path: "/api/v1/projects/my-project/tasks/pull/stats",
    headers: KEY,
  },
  history: {
    method: "GET",
    path: "/api/v1/projects/my-project/tasks/task-001/pull/history",
    headers: KEY,
  },
  pending: {
    method: "GET",
    path: "/api/v1/projects/my-project/tasks/pull/pending?timeout=3600",
    headers: KEY,
  },
  releaseBatch: {
    method: "POST",
    path: "/api/v1/projects/my-project/tasks/pull/release/batch",
    headers: JSON_KEY,
    body: `{
    "taskIds": ["task-001", "task-002", "task-003"]
  }`,
  },
} satisfies Record<string, GuideRequest>;
