import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/router";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["meta"],
  summary: "Liveness: answers without touching storage or checking a key",
  security: [],
  responses: {
    200: {
      description: "The Worker is up",
      content: { "application/json": { schema: z.object({ ok: z.literal(true) }) } },
    },
  },
});

export const healthRoutes = createRouter().openapi(health, (c) => c.json({ ok: true as const }));
