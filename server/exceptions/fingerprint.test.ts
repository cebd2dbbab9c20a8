import { describe, expect, it } from "vitest";
import { fingerprint, normalizeMessage } from "./fingerprint";

describe("failure fingerprint", () => {
  it.each([
    ["Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001", "deficit of sl unrestricted-use <*> pc : <*> <*> <*>"],
    ["Deficit of SL Unrestricted-use 3.5 KG : RM-0815 4000 0002", "deficit of sl unrestricted-use <*> kg : <*> <*> <*>"],
    ["The quantity to produce must be positive!", "the quantity to produce must be positive!"],
    ["No bill of materials found for product 'Frame A' (id 4211)", "no bill of materials found for product <s> (id <*>)"],
    ["Record 6f1c2a0e-3d0b-4c59-9d5e-1b7f0a9c2e41 does not exist", "record <id> does not exist"],
    ["Posting only possible in periods 2026/11 and 2026/10 in company code 1000", "posting only possible in periods <*> and <*> in company code <*>"],
    ["Lot B2026-118 unknown, received 2026-11-23T07:41:12Z", "lot <*> unknown, received <date>"],
    ["  HTTP   503 Service Unavailable ", "http <*> service unavailable"],
  ])("normalises %j", (input, expected) => {
    expect(normalizeMessage(input)).toBe(expected);
  });

  it("groups instances of one failure and separates different ones", () => {
    const a = fingerprint("GOODS_MOVEMENT", "M7-021", "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001");
    const b = fingerprint("GOODS_MOVEMENT", "M7-021", "Deficit of SL Unrestricted-use 480 PC : RM-9000 2000 0003");
    expect(a).toBe(b);
    expect(fingerprint("SPARE_PARTS_USAGE", "M7-021", "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001")).not.toBe(a);
    expect(fingerprint("GOODS_MOVEMENT", "M7-053", "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001")).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{20}$/);
  });
});
