import { clientIdentity } from "../auth/authenticate";
import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import { invalid } from "../http/errors";
import type { Lease } from "./claim";

/**
 * Lease length in seconds: the caller's, inside [MIN, MAX]_LEASE_SECONDS, else the default.
 * `capAtMax` (the heartbeat) shortens a too-long request to the maximum instead of refusing it.
 */
export function leaseSeconds(
  config: Config,
  requested: number | undefined,
  options: { capAtMax?: boolean } = {},
): number {
  if (requested === undefined) return config.pullTimeoutSeconds;
  const seconds = options.capAtMax ? Math.min(requested, config.maxLeaseSeconds) : requested;
  if (seconds < config.minLeaseSeconds || seconds > config.maxLeaseSeconds) {
    throw invalid(
      "lease_seconds",
      `must be between ${config.minLeaseSeconds} and ${config.maxLeaseSeconds}`,
    );
  }
  return seconds;
}

/** How many tasks one pull may claim: the caller's, at most MAX_PULL_LIMIT, else the default. */
export function pullLimit(config: Config, requested: number | undefined): number {
  if (requested === undefined) return config.defaultPullLimit;
  if (requested > config.maxPullLimit) {
    throw invalid("limit", `must be at most ${config.maxPullLimit}`);
  }
  return requested;
}

/** A fresh lease for one pull by this caller. */
export function newLease(
  config: Config,
  principal: Principal,
  headers: Headers,
  requestedSeconds: number | undefined,
): Lease {
  const now = Date.now();
  return {
    leaseId: crypto.randomUUID(),
    pulledBy: clientIdentity(headers, principal),
    keyId: principal.keyId,
    now,
    expiresAt: now + leaseSeconds(config, requestedSeconds) * 1000,
  };
}
