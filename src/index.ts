import { createApp } from "./app";
import { expireLeases } from "./cron/expire-leases";

export { RateLimiter } from "./limiter/rate-limiter";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    await expireLeases(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env>;
