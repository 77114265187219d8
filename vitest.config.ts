import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd against the real D1 and the real Durable Object (no mocks). The
// migrations drizzle-kit generated are applied by test/setup.ts before each file.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ADMIN_TOKEN: "test-admin-token",
            // High budgets so functional tests never trip the limiter; the limiter's own tests
            // use their own keys and the Durable Object's small limits (test/limiter).
            PULL_RATE_LIMIT: "1000000",
            API_RATE_LIMIT: "1000000",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**", "test/bench/**"],
      setupFiles: ["./test/setup.ts"],
      // Request logs of passing tests are noise; a failing test still shows its own.
      silent: "passed-only",
    },
  };
});
