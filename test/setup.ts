import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Each test file gets its own storage; apply the schema to it first.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
