import { describe, expect, it } from "vitest";
import { canTransition, CLOSED_STATUSES, OPEN_STATUSES, TRANSITIONS } from "./lifecycle";
import { severityOf } from "./severity";

describe("severity", () => {
  it.each([
    ["QUALITY_HOLD", "CRITICAL", "TECHNICAL", 1, "CRITICAL"],
    ["QUALITY_HOLD", "MEDIUM", "BUSINESS", 1, "CRITICAL"],
    ["PRODORD_RELEASE", "CRITICAL", "TECHNICAL", 1, "CRITICAL"],
    ["GOODS_MOVEMENT", "HIGH", "BUSINESS", 1, "HIGH"],
    ["GOODS_MOVEMENT", "HIGH", "TECHNICAL", 1, "MEDIUM"],
    ["GOODS_MOVEMENT", "HIGH", "TECHNICAL", 3, "HIGH"],
    ["FORECAST_IMPORT", "LOW", "TECHNICAL", 1, "LOW"],
    ["MATERIAL_MASTER", "MEDIUM", "BUSINESS", 2, "MEDIUM"],
  ] as const)("%s (%s, %s, attempt %d) ⇒ %s", (interfaceCode, criticality, category, attempt, expected) => {
    expect(severityOf({ interfaceCode, criticality, category, attempt })).toBe(expected);
  });
});

describe("lifecycle table", () => {
  it("closed statuses are terminal (but a resolved one may be replayed again) and every status has an entry", () => {
    expect(TRANSITIONS.DISCARDED).toEqual([]);
    expect(TRANSITIONS.RESOLVED).toEqual(["REPLAY_QUEUED"]);
    expect(CLOSED_STATUSES).toEqual(["RESOLVED", "DISCARDED"]);
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...OPEN_STATUSES, ...CLOSED_STATUSES].sort());
  });
  it("any open exception can be resolved at source, and only the replay worker leaves REPLAYING", () => {
    for (const s of OPEN_STATUSES) expect(canTransition(s, "RESOLVED")).toBe(true);
    expect(canTransition("REPLAYING", "DISCARDED")).toBe(false);
    expect(canTransition("RESOLVED", "NEW")).toBe(false);
    expect(canTransition("RESOLVED", "CORRECTING")).toBe(false);
  });
});
