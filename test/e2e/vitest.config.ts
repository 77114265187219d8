import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// End-to-end tests run in plain Node against `npm run dev` over real HTTP (global-setup.ts),
// not inside workerd like the unit and integration tests.
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    environment: "node",
    // One server and one database for all files: run them one after another.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
