import { ApiError } from "./http/errors";

export type Config = {
  pullTimeoutSeconds: number;
  minLeaseSeconds: number;
  maxLeaseSeconds: number;
  defaultPullLimit: number;
  maxPullLimit: number;
  pullRateLimit: number;
  pullRateWindowSeconds: number;
  apiRateLimit: number;
  apiRateWindowSeconds: number;
};

type Vars = Partial<Record<string, unknown>>;

function positiveInt(vars: Vars, name: string, fallback: number): number {
  const raw = vars[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ApiError(
      "INTERNAL_ERROR",
      `Invalid configuration: ${name} must be a positive integer`,
    );
  }
  return value;
}

const cache = new WeakMap<object, Config>();

/**
 * Reads SPEC §9's `[vars]` once per env object. A bad value fails the request loudly with the
 * variable's name and the rule it breaks, rather than letting a NaN limit silently disable a
 * check. The value itself is not echoed: the message reaches clients and logs.
 */
export function loadConfig(env: object): Config {
  const cached = cache.get(env);
  if (cached) return cached;

  const vars = env as Vars;
  const config: Config = {
    pullTimeoutSeconds: positiveInt(vars, "PULL_TIMEOUT_SECONDS", 3600),
    minLeaseSeconds: positiveInt(vars, "MIN_LEASE_SECONDS", 30),
    maxLeaseSeconds: positiveInt(vars, "MAX_LEASE_SECONDS", 43200),
    defaultPullLimit: positiveInt(vars, "DEFAULT_PULL_LIMIT", 10),
    maxPullLimit: positiveInt(vars, "MAX_PULL_LIMIT", 100),
    pullRateLimit: positiveInt(vars, "PULL_RATE_LIMIT", 60),
    pullRateWindowSeconds: positiveInt(vars, "PULL_RATE_WINDOW_SECONDS", 60),
    apiRateLimit: positiveInt(vars, "API_RATE_LIMIT", 600),
    apiRateWindowSeconds: positiveInt(vars, "API_RATE_WINDOW_SECONDS", 60),
  };

  const leaseRangeOk = config.minLeaseSeconds <= config.pullTimeoutSeconds;
  if (!leaseRangeOk || config.pullTimeoutSeconds > config.maxLeaseSeconds) {
    throw new ApiError(
      "INTERNAL_ERROR",
      "Invalid configuration: need MIN_LEASE_SECONDS <= PULL_TIMEOUT_SECONDS <= MAX_LEASE_SECONDS",
    );
  }
  if (config.defaultPullLimit > config.maxPullLimit) {
    throw new ApiError(
      "INTERNAL_ERROR",
      "Invalid configuration: DEFAULT_PULL_LIMIT > MAX_PULL_LIMIT",
    );
  }

  cache.set(env, config);
  return config;
}
