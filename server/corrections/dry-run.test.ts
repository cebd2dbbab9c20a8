import { describe, expect, it } from "vitest";
import { currentDryRun, dryRunOutcomeOf, dryRunResultOf } from "./dry-run";
import { dryRunView } from "./dry-run-view";

describe("dry run outcomes", () => {
  it("delivered is would post, a business failure the target's refusal, anything technical not checked", () => {
    expect(dryRunOutcomeOf({ status: "delivered" })).toBe("WOULD_POST");
    expect(dryRunOutcomeOf({ status: "failed", category: "business", code: "M7/021", message: "Deficit" })).toBe("REFUSED");
    expect(dryRunOutcomeOf({ status: "failed", category: "technical", code: "DRY_RUN_UNSUPPORTED", message: "no test mode" })).toBe("ERROR");
    expect(dryRunResultOf({ status: "failed", category: "business", code: "M7/021", message: "Deficit" }, 200, 12)).toEqual({
      code: "M7/021",
      message: "Deficit",
      answer: null,
      httpStatus: 200,
      durationMs: 12,
    });
  });

  it("a dry run counts only for the payload it checked", () => {
    expect(currentDryRun({ payloadHash: "a", dryRunOutcome: "REFUSED", dryRunPayloadHash: "a" })).toBe("REFUSED");
    expect(currentDryRun({ payloadHash: "b", dryRunOutcome: "REFUSED", dryRunPayloadHash: "a" })).toBeNull();
    expect(currentDryRun({ payloadHash: "a", dryRunOutcome: null, dryRunPayloadHash: null })).toBeNull();
    const view = dryRunView(
      { payloadHash: "b", dryRunOutcome: "REFUSED", dryRunPayloadHash: "a", dryRunAt: new Date(0), dryRunResult: { code: "X", message: "m" } },
      "Anna",
    );
    expect(view).toMatchObject({ outcome: "REFUSED", current: false, code: "X", message: "m", by: "Anna" });
  });
});
