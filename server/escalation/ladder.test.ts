import { describe, expect, it } from "vitest";
import { DEFAULT_LADDER, dueRungs, ladderFor } from "./ladder";

const t0 = new Date("2026-12-07T08:00:00Z");
const at = (min: number) => new Date(t0.getTime() + min * 60_000);

describe("escalation ladder", () => {
  it("notifies the technical owner at once, then the lead at 30 min and the manager at 60 min (critical)", () => {
    const ladder = ladderFor("CRITICAL", []);
    expect(dueRungs(ladder, t0, null, at(0)).map((r) => r.level)).toEqual(["TECHNICAL_OWNER"]);
    expect(dueRungs(ladder, t0, "TECHNICAL_OWNER", at(29))).toEqual([]);
    expect(dueRungs(ladder, t0, "TECHNICAL_OWNER", at(30)).map((r) => r.level)).toEqual(["PLANT_LEAD"]);
    expect(dueRungs(ladder, t0, "PLANT_LEAD", at(60)).map((r) => r.level)).toEqual(["PLANT_MANAGER"]);
    expect(dueRungs(ladder, t0, "BUSINESS_OWNER", at(10_000))).toEqual([]);
  });
  it("reaches every rung that came due while the job was not running, in order", () => {
    expect(dueRungs(ladderFor("CRITICAL", []), t0, null, at(61)).map((r) => r.level)).toEqual(["TECHNICAL_OWNER", "PLANT_LEAD", "PLANT_MANAGER"]);
  });
  it("uses the table's rungs of the criticality when there are any, and always starts with the technical owner", () => {
    const ladder = ladderFor("HIGH", [
      { criticality: "HIGH", level: "PLANT_MANAGER", afterMinutes: 15 },
      { criticality: "CRITICAL", level: "PLANT_LEAD", afterMinutes: 1 },
    ]);
    expect(ladder).toEqual([
      { level: "TECHNICAL_OWNER", afterMinutes: 0 },
      { level: "PLANT_MANAGER", afterMinutes: 15 },
    ]);
    expect(ladderFor("LOW", [])).toEqual(DEFAULT_LADDER.LOW);
  });
});
