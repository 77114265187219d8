import type { Config } from "../config";
import type { Budget } from "./decision";

// The pull endpoints of SPEC §5.1 and §5.2, which spend the pull budget. Ids never contain `/`.
const PULL_ENDPOINTS: ReadonlyArray<{ method: string; path: RegExp }> = [
  { method: "GET", path: /^\/api\/v1\/projects\/[^/]+\/tasks\/pull$/ },
  { method: "GET", path: /^\/api\/v1\/projects\/[^/]+\/queues\/[^/]+\/tasks\/pull$/ },
  { method: "POST", path: /^\/api\/v1\/projects\/[^/]+\/tasks\/pull\/batch$/ },
];

/**
 * The budget a request spends (SPEC §8): pulls have their own, every other authenticated
 * request shares the API budget. HEAD counts as GET, since Hono answers it with the GET handler.
 */
export function budgetFor(method: string, path: string, config: Config): Budget {
  const verb = method === "HEAD" ? "GET" : method;
  const isPull = PULL_ENDPOINTS.some((endpoint) => {
    return endpoint.method === verb && endpoint.path.test(path);
  });

  if (isPull) {
    return {
      name: "pull",
      limit: config.pullRateLimit,
      windowSeconds: config.pullRateWindowSeconds,
    };
  }
  return { name: "api", limit: config.apiRateLimit, windowSeconds: config.apiRateWindowSeconds };
}
