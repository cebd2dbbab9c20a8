import { describe, expect, it } from "vitest";
import { slotTimes } from "./limits";

describe("replay rate-limit slots", () => {
  it("spaces n deliveries 1/rate seconds apart from the first reserved slot", () => {
    expect(slotTimes(1_000, 20, 4)).toEqual([1_000, 1_050, 1_100, 1_150]);
  });
  it("a batch never exceeds the rate: n slots span (n-1)/rate seconds", () => {
    const s = slotTimes(0, 500, 1000);
    expect(s.at(-1)! - s[0]!).toBeCloseTo(1998, 6);
  });
  it("reserves nothing for an empty batch", () => {
    expect(slotTimes(5, 10, 0)).toEqual([]);
  });
});
