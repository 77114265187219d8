import { cloudflareTest, type D1Migration, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

const LIMITER_TESTS = "test/limiter/**/*.test.ts";

/** One Workers project: the Worker of wrangler.toml, with these rate-limit vars on top. */
function workersProject(
  name: string,
  files: { include: string[]; exclude: string[] },
  migrations: D1Migration[],
  limits: Record<string, string>,
): TestProjectInlineConfiguration {
  const bindings = { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: "test-admin-token", ...limits };
  return {
    plugins: [
      cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings } }),
    ],
    test: { name, ...files, setupFiles: ["./test/setup.ts"] },
  };
}

// Tests run inside workerd against the real D1 and the real Durable Object (no mocks). The
// migrations drizzle-kit generated are applied by test/setup.ts before each file.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      // Request logs of passing tests are noise; a failing test still shows its own.
      silent: "passed-only" as const,
      projects: [
        // High budgets so functional tests never trip the limiter.
        workersProject(
          "api",
          {
            include: ["test/**/*.test.ts"],
            exclude: ["test/e2e/**", "test/bench/**", LIMITER_TESTS],
          },
          migrations,
          { PULL_RATE_LIMIT: "1000000", API_RATE_LIMIT: "1000000" },
        ),
        // The limiter's own tests: small budgets read from vars, as a deployment sets them.
        workersProject("limiter", { include: [LIMITER_TESTS], exclude: [] }, migrations, {
          API_RATE_LIMIT: "5",
          API_RATE_WINDOW_SECONDS: "60",
          PULL_RATE_LIMIT: "3",
          PULL_RATE_WINDOW_SECONDS: "30",
        }),
      ],
    },
  };
});
