import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { validationHook } from "./validation";

/** Every route module builds its routes on one of these, so all share the validation hook. */
export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
