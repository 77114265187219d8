import type { ApiKeyRole } from "../db/schema";
import { forbidden } from "../http/errors";

/** Who is calling: an API key, or the ADMIN_TOKEN secret (keyId `admin-token`). */
export type Principal = {
  keyId: string;
  name: string;
  role: ApiKeyRole;
  projectId: string | null;
};

const RANK: Record<ApiKeyRole, number> = { client: 0, manager: 1, admin: 2 };

export function hasRole(principal: Principal, needed: ApiKeyRole): boolean {
  return RANK[principal.role] >= RANK[needed];
}

export function assertRole(principal: Principal, needed: ApiKeyRole): void {
  if (!hasRole(principal, needed)) {
    throw forbidden(`This endpoint needs the ${needed} role; the key has ${principal.role}`);
  }
}

/** A key bound to a project may touch that project only, on every endpoint (SPEC §3). */
export function assertProjectAccess(principal: Principal, projectId: string): void {
  if (principal.projectId !== null && principal.projectId !== projectId) {
    throw forbidden(`This key is bound to project ${principal.projectId}`);
  }
}
