import { describe, expect, it } from "vitest";
import { canRequestReplay } from "./eligibility";

describe("when a replay can be requested", () => {
  it.each([
    ["NEW", "TECHNICAL", null, true],
    ["NEW", "BUSINESS", null, false],
    ["APPROVED", "BUSINESS", "APPROVED", true],
    ["CORRECTING", "BUSINESS", "DRAFT", false],
    ["AWAITING_APPROVAL", "BUSINESS", "SUBMITTED", false],
    ["REPLAY_FAILED", "TECHNICAL", null, true],
    ["TRIAGED", "TECHNICAL", "SUBMITTED", false],
    ["RESOLVED", "TECHNICAL", null, false],
    ["REPLAYING", "TECHNICAL", null, false],
  ] as const)("%s / %s / correction %s ⇒ %s", (status, category, correctionStatus, expected) => {
    expect(canRequestReplay({ status, category, correctionStatus })).toBe(expected);
  });
});
