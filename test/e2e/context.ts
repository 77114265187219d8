/** What the global setup hands to every e2e test file through `inject`. */
export type E2eContext = {
  /** The running `npm run dev` server, e.g. `http://localhost:41234`. */
  baseUrl: string;
  /** The ADMIN_TOKEN the dev command keeps in `.dev.vars`. */
  adminToken: string;
  /** The client key the dev command inserted: the guide's literal `your-api-key`. */
  devKey: string;
  /** The dev key's name, which is also its client identity (`pulled_by`). */
  devKeyName: string;
  /** PULL_RATE_LIMIT the server was started with (per key, per window). */
  pullRateLimit: number;
};

declare module "vitest" {
  interface ProvidedContext {
    e2e: E2eContext;
  }
}
