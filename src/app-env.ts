import type { Principal } from "./auth/principal";
import type { Config } from "./config";
import type { Db } from "./db/client";

/** What every handler sees on `c`: bindings from wrangler.toml plus per-request values. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    db: Db;
    principal: Principal;
  };
};
