import { describe, expect, it } from "vitest";
import { ACTIONS, PERMISSIONS, type Principal, can, denial, plantScope, plantWhere, replayNeedsApproval, visiblePlantIds } from "./index";

const HAM = "plant-ham";
const WRO = "plant-wro";
const user = (role: string, plantIds: string[] = [HAM], id = `u-${role}`): Principal => ({ id, role, plantIds });

// The whole table, spelled out: role × action ⇒ allowed on a plant in the user's scope.
// A change to PERMISSIONS that is not mirrored here fails this test on purpose.
const EXPECTED: Record<string, string[]> = {
  "plant.read": ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"],
  "plant.update": ["ADMIN"],
  "plant.create": ["ADMIN"],
  "dashboard.read": ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"],
  "alert.read": ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"],
  "alert.handle": ["VIEWER", "OPERATOR", "APPROVER", "ADMIN"],
  "exception.read": ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"],
  "exception.triage": ["OPERATOR"],
  "exception.comment": ["OPERATOR", "APPROVER"],
  "exception.correct": ["OPERATOR", "APPROVER"],
  "exception.replay_technical": ["OPERATOR", "APPROVER"],
  "exception.discard": ["OPERATOR"],
  "correction.approve": ["APPROVER"],
  "replay.approve": ["APPROVER"],
  "replay.bulk": ["APPROVER"],
  "transaction.read": ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"],
  "trace.read": ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"],
  "dependency.manage": ["ADMIN"],
  "runbook.write": ["APPROVER", "ADMIN"],
  "correction.dry_run": ["OPERATOR", "APPROVER"],
  "replay.override_block": ["APPROVER"],
  "audit.read": ["AUDITOR", "ADMIN"],
  "audit.export": ["AUDITOR"],
  "audit.verify": ["AUDITOR", "ADMIN"],
  "user.manage": ["ADMIN"],
  "connector.manage": ["ADMIN"],
  "interface.manage": ["ADMIN"],
  "alert_rule.manage": ["ADMIN"],
  "retention.manage": ["ADMIN"],
  "finding.read": ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"],
  "finding.handle": ["VIEWER", "OPERATOR", "APPROVER", "ADMIN"],
  "calendar.manage": ["ADMIN"],
  "expectation.manage": ["ADMIN"],
  "owner.manage": ["ADMIN"],
  "handover.write": ["VIEWER", "OPERATOR", "APPROVER"],
  "handover.acknowledge": ["VIEWER", "OPERATOR", "APPROVER"],
  "notification.read": ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"],
  "admin.open": ["ADMIN"],
};
const ROLES = ["VIEWER", "OPERATOR", "APPROVER", "AUDITOR", "ADMIN"];

describe("policy table", () => {
  it("covers exactly the actions the module defines", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
  });

  const rows = ACTIONS.flatMap((action) => ROLES.map((role) => ({ action, role, allowed: EXPECTED[action]!.includes(role) })));
  it.each(rows)("$role × $action ⇒ $allowed (own plant)", ({ action, role, allowed }) => {
    expect(can(user(role), action, { plantId: HAM })).toBe(allowed);
  });

  it.each(ACTIONS.filter((a) => (PERMISSIONS[a] as readonly string[]).some((r) => ["VIEWER", "OPERATOR", "APPROVER"].includes(r))))(
    "plant-scoped roles are denied %s on a plant outside their scope",
    (action) => {
      for (const role of ["VIEWER", "OPERATOR", "APPROVER"]) expect(can(user(role, [HAM]), action, { plantId: WRO })).toBe(false);
    },
  );

  it("auditors and admins see every plant without scope rows", () => {
    expect(can(user("AUDITOR", []), "exception.read", { plantId: WRO })).toBe(true);
    expect(can(user("ADMIN", []), "plant.update", { plantId: WRO })).toBe(true);
    expect(visiblePlantIds(user("AUDITOR", []))).toBe("all");
    expect(plantWhere(user("ADMIN", []))).toEqual({});
  });

  it("denies unknown roles, unknown actions, inactive and missing users", () => {
    expect(can(user("SUPERUSER"), "plant.read", { plantId: HAM })).toBe(false);
    expect(can(user("ADMIN"), "plant.delete_everything")).toBe(false);
    expect(can(user("ADMIN"), "__proto__")).toBe(false);
    expect(can({ ...user("ADMIN"), active: false }, "plant.read")).toBe(false);
    expect(can(null, "plant.read")).toBe(false);
    expect(visiblePlantIds(user("SUPERUSER"))).toEqual([]);
  });

  it("never lets the author approve their own correction", () => {
    const approver = user("APPROVER", [HAM], "anna");
    expect(can(approver, "correction.approve", { plantId: HAM, authorId: "oskar" })).toBe(true);
    expect(can(approver, "correction.approve", { plantId: HAM, authorId: "anna" })).toBe(false);
  });

  it("never lets the requester approve their own replay request", () => {
    const approver = user("APPROVER", [HAM], "anna");
    expect(can(approver, "replay.approve", { plantId: HAM, authorId: "oskar" })).toBe(true);
    expect(can(approver, "replay.approve", { plantId: HAM, authorId: "anna" })).toBe(false);
    expect(can(user("OPERATOR", [HAM], "oskar"), "replay.approve", { plantId: HAM, authorId: "anna" })).toBe(false);
  });

  it("on interfaces that require approval, only a held correction approval replaces the replay's second person", () => {
    const guarded = { requiresApproval: true };
    expect(replayNeedsApproval(guarded, { approvedCorrection: false, second: false })).toBe(true); // as is
    expect(replayNeedsApproval(guarded, { approvedCorrection: false, second: true })).toBe(true); // again, as is
    expect(replayNeedsApproval(guarded, { approvedCorrection: true, second: true })).toBe(true); // an approved payload, a second time
    expect(replayNeedsApproval(guarded, { approvedCorrection: true, second: false })).toBe(false); // the correction's approver is the second person
    for (const approvedCorrection of [true, false])
      for (const second of [true, false]) {
        expect(replayNeedsApproval({ requiresApproval: false }, { approvedCorrection, second })).toBe(false);
      }
  });

  it("answers 404 for objects outside the scope and 403 for visible ones", () => {
    expect(denial(user("VIEWER", [HAM]), { plantId: WRO })).toBe("not_found");
    expect(denial(user("VIEWER", [HAM]), { plantId: HAM })).toBe("forbidden");
  });

  it("builds plant-scoped where clauses", () => {
    expect(plantScope(user("OPERATOR", [HAM, WRO]))).toEqual({ plantId: { in: [HAM, WRO] } });
    expect(plantWhere(user("VIEWER", [HAM]))).toEqual({ id: { in: [HAM] } });
    expect(plantScope(user("VIEWER", []))).toEqual({ plantId: { in: [] } });
  });
});
