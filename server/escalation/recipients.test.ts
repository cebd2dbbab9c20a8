import { describe, expect, it } from "vitest";
import { holderOf } from "./recipients";
import { interfaceOfSubject, notificationSubjectOf } from "./run-escalation";

const P = "0b6f2a52-5c1c-4b39-9e57-3a1f1f0c9d11";
const I = "7d3e1c2b-1a2b-4c3d-8e4f-5a6b7c8d9e0f";

describe("who stands on each rung", () => {
  const people = { technicalOwnerId: "owner", businessOwnerId: "business", leadUserId: "lead", managerUserId: "manager" };
  it("the technical owner first, then the plant lead, the plant manager and the business owner", () => {
    expect(["TECHNICAL_OWNER", "PLANT_LEAD", "PLANT_MANAGER", "BUSINESS_OWNER"].map((l) => holderOf(l as never, people))).toEqual([
      "owner",
      "lead",
      "manager",
      "business",
    ]);
  });
  it("the plant lead takes the first rung when the interface has no technical owner (or the alert no interface)", () => {
    expect(holderOf("TECHNICAL_OWNER", { ...people, technicalOwnerId: null })).toBe("lead");
    expect(holderOf("BUSINESS_OWNER", { ...people, businessOwnerId: null })).toBeNull();
  });
  it("reads the interface of a plant × interface subject only", () => {
    expect(interfaceOfSubject(`iface:${P}:${I}`)).toBe(I);
    for (const key of [`plant:${P}`, `connector:${I}`, `target:${I}`, `handover:${P}`, `iface:${P}`, `iface:${P}:${I}:x`])
      expect(interfaceOfSubject(key)).toBeNull();
    expect(notificationSubjectOf({ ruleId: "r", subjectKey: `plant:${P}` })).toBe(`r:plant:${P}`);
  });
});
