// Secrets and optional vars that `wrangler types` cannot see in wrangler.toml.
interface OptionalBindings {
  /** Accepted as an admin key (`wrangler secret put ADMIN_TOKEN`). */
  ADMIN_TOKEN?: string;
  /** Window of API_RATE_LIMIT; SPEC §8 fixes it at 60 s, tests may shorten it. */
  API_RATE_WINDOW_SECONDS?: string;
}

interface Env extends OptionalBindings {}

declare namespace Cloudflare {
  interface Env extends OptionalBindings {}
}
