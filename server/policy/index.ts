import { Role } from "../db/generated/enums";

/**
 * The one place that decides who may do what on which plant. Route handlers, server actions,
 * socket joins and background jobs ask `can()`; list/detail queries use the scope builders so a
 * user never reads rows of a plant they may not see (out-of-scope objects answer 404).
 * Unknown role, unknown action or inactive user ⇒ deny.
 */
export const ROLES = Object.values(Role);
export type { Role };

import { roleSeesAllPlants } from "../../lib/rules";
export { ROLE_LABELS } from "../../lib/rules";

const { VIEWER, OPERATOR, APPROVER, AUDITOR, ADMIN } = Role;
const READERS = [VIEWER, OPERATOR, APPROVER, AUDITOR, ADMIN] as const;

/** Permission table: action → roles allowed. Plant scope and four-eyes are checked on top. */
export const PERMISSIONS = {
  "plant.read": READERS,
  "plant.update": [ADMIN],
  "plant.create": [ADMIN],
  "dashboard.read": READERS,
  "alert.read": READERS,
  "alert.handle": [VIEWER, OPERATOR, APPROVER, ADMIN], // acknowledge, assign, resolve alerts of their plants
  "exception.read": READERS,
  "exception.triage": [OPERATOR],
  "exception.comment": [OPERATOR, APPROVER],
  "exception.correct": [OPERATOR, APPROVER], // approvers may correct too; four-eyes keeps them from approving their own
  "exception.replay_technical": [OPERATOR, APPROVER],
  "exception.discard": [OPERATOR],
  "correction.approve": [APPROVER],
  "replay.approve": [APPROVER], // approve / reject another person's replay request (interfaces that require approval)
  "replay.bulk": [APPROVER],
  "transaction.read": READERS, // plant managers (viewers) read their plants' history too; every read is plant-scoped
  "trace.read": READERS, // lot / order / PO traceability pages, scoped to the user's plants
  "dependency.manage": [ADMIN], // prerequisites between interfaces
  "runbook.write": [APPROVER, ADMIN], // runbooks per error code or failure group
  "correction.dry_run": [OPERATOR, APPROVER], // ask the target whether a corrected payload would post, without posting
  "replay.override_block": [APPROVER], // replay although a prerequisite of the same object is open (with a reason)
  "audit.read": [AUDITOR, ADMIN],
  "audit.export": [AUDITOR],
  "audit.verify": [AUDITOR, ADMIN],
  "user.manage": [ADMIN],
  "connector.manage": [ADMIN],
  "interface.manage": [ADMIN],
  "alert_rule.manage": [ADMIN],
  "retention.manage": [ADMIN],
  "finding.read": READERS, // late messages, stopped flows, missed runs (server/monitor)
  "finding.handle": [VIEWER, OPERATOR, APPROVER, ADMIN], // acknowledge, assign findings of their plants
  "calendar.manage": [ADMIN], // shift calendars, holidays, planned downtime
  "expectation.manage": [ADMIN], // expected traffic, batch schedules, late thresholds
  "owner.manage": [ADMIN], // interface owners, plant leads and managers, escalation ladders
  "handover.write": [VIEWER, OPERATOR, APPROVER], // the outgoing lead's notes on a shift handover
  "handover.acknowledge": [VIEWER, OPERATOR, APPROVER], // the incoming lead takes the shift over
  "notification.read": READERS, // one's own in-app notifications
  "admin.open": [ADMIN], // the Admin page and its nav entry (one permission decides both)
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** Actions on another person's work: never on one's own (the object's author is `resource.authorId`). */
const FOUR_EYES: readonly Action[] = ["correction.approve", "replay.approve"];

export type Principal = {
  id: string;
  role: string;
  plantIds: readonly string[];
  active?: boolean;
};

export type Resource = {
  /** The plant the object belongs to. Omitted for plant-less actions (e.g. user.manage). */
  plantId?: string | null;
  /** Author of the object acted upon (corrections, replay requests): the author may never approve it. */
  authorId?: string | null;
};

function isRole(value: string): value is Role {
  return (ROLES as string[]).includes(value);
}

function isAction(value: string): value is Action {
  return Object.hasOwn(PERMISSIONS, value);
}

export function seesAllPlants(user: Principal): boolean {
  return isRole(user.role) && roleSeesAllPlants(user.role);
}

export function canSeePlant(user: Principal | null | undefined, plantId: string): boolean {
  if (!user || user.active === false || !isRole(user.role)) return false;
  return seesAllPlants(user) || user.plantIds.includes(plantId);
}

export function can(user: Principal | null | undefined, action: string, resource: Resource = {}): boolean {
  if (!user || user.active === false) return false;
  if (!isRole(user.role) || !isAction(action)) return false;
  if (!(PERMISSIONS[action] as readonly Role[]).includes(user.role)) return false;
  if (resource.plantId !== undefined && resource.plantId !== null && !canSeePlant(user, resource.plantId)) return false;
  if (FOUR_EYES.includes(action) && resource.authorId === user.id) return false;
  return true;
}

/**
 * Segregation of duties on replays. On an interface that requires approval no message is sent on one
 * person's word: the first delivery of a correction whose four-eyes approval holds has its second person
 * already (the approver of exactly that payload); every other replay there — as is, or a second delivery
 * of a message — is a request that another approver must approve (`replay.approve`). Request, API, bulk
 * and the UI all ask this function.
 */
export function replayNeedsApproval(iface: { requiresApproval: boolean }, replay: { approvedCorrection: boolean; second: boolean }): boolean {
  if (!iface.requiresApproval) return false;
  return !(replay.approvedCorrection && !replay.second);
}

/**
 * Why `can` said no, in the form a handler answers: objects outside the user's plants do not
 * exist for them (404); visible objects they may not act on are forbidden (403).
 */
export function denial(user: Principal, resource: Resource = {}): "not_found" | "forbidden" {
  if (resource.plantId && !canSeePlant(user, resource.plantId)) return "not_found";
  return "forbidden";
}

/** Plant ids the user may see, or "all". Unknown roles see nothing. */
export function visiblePlantIds(user: Principal): readonly string[] | "all" {
  if (!isRole(user.role) || user.active === false) return [];
  return seesAllPlants(user) ? "all" : user.plantIds;
}

/** Where-clause for the Plant model. */
export function plantWhere(user: Principal): { id?: { in: string[] } } {
  const ids = visiblePlantIds(user);
  return ids === "all" ? {} : { id: { in: [...ids] } };
}

/** Where-clause for any model with a `plantId` column (exceptions, transactions, connectors...). */
export function plantScope(user: Principal): { plantId?: { in: string[] } } {
  const ids = visiblePlantIds(user);
  return ids === "all" ? {} : { plantId: { in: [...ids] } };
}
