import type { ExceptionStatus, Role } from "@/server/db/generated/enums";

/**
 * Rules the browser needs too, in one client-safe module (no database, no server code): the server's
 * lifecycle, policy and actions use the same lists, so a component never keeps a copy of its own.
 */
export const OPEN_STATUSES = [
  "NEW",
  "TRIAGED",
  "CORRECTING",
  "AWAITING_APPROVAL",
  "APPROVED",
  "REPLAY_QUEUED",
  "REPLAYING",
  "REPLAY_FAILED",
  "REJECTED",
] as const satisfies readonly ExceptionStatus[];
export const CLOSED_STATUSES = ["RESOLVED", "DISCARDED"] as const satisfies readonly ExceptionStatus[];

/** While a replay is on its way, or once closed, an exception's payload cannot be corrected. */
export const NOT_CORRECTABLE_STATUSES = ["RESOLVED", "DISCARDED", "REPLAY_QUEUED", "REPLAYING"] as const satisfies readonly ExceptionStatus[];
export function isCorrectable(status: string): boolean {
  return !(NOT_CORRECTABLE_STATUSES as readonly string[]).includes(status);
}

/** Roles that see every plant without plant-scope rows: the policy decides with this list, the admin pages show it. */
export const ALL_PLANT_ROLES = ["AUDITOR", "ADMIN"] as const satisfies readonly Role[];
export function roleSeesAllPlants(role: string): boolean {
  return (ALL_PLANT_ROLES as readonly string[]).includes(role);
}

export const ROLE_LABELS: Record<Role, string> = {
  VIEWER: "Plant manager",
  OPERATOR: "Support operator",
  APPROVER: "Approver",
  AUDITOR: "Auditor",
  ADMIN: "Administrator",
};
