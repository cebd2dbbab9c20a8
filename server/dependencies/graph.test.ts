import { describe, expect, it } from "vitest";
import { cycleThrough, depths } from "./graph";

const e = (prerequisite: string, dependent: string) => ({ prerequisite, dependent });
const chain = [e("MAT", "BOM"), e("BOM", "REL"), e("REL", "CNF"), e("CNF", "GM"), e("QH", "GM"), e("GM", "INV")];

describe("cycleThrough", () => {
  it("accepts an edge that closes no cycle (a diamond is fine)", () => {
    expect(cycleThrough(chain, e("MAT", "GM"))).toBeNull();
    expect(cycleThrough(chain, e("ASN", "GM"))).toBeNull();
  });
  it("names the path an edge would close into a cycle", () => {
    expect(cycleThrough(chain, e("INV", "MAT"))).toEqual(["MAT", "BOM", "REL", "CNF", "GM", "INV"]);
    expect(cycleThrough(chain, e("GM", "QH"))).toEqual(["QH", "GM"]);
  });
  it("refuses a self-dependency", () => {
    expect(cycleThrough([], e("GM", "GM"))).toEqual(["GM"]);
  });
});

describe("depths", () => {
  it("puts every prerequisite before its dependents", () => {
    const d = depths(chain);
    expect(Object.fromEntries(d)).toEqual({ MAT: 0, BOM: 1, REL: 2, CNF: 3, GM: 4, QH: 0, INV: 5 });
    for (const x of chain) expect(d.get(x.prerequisite)!).toBeLessThan(d.get(x.dependent)!);
  });
  it("ends even on a cycle", () => {
    expect(depths([e("A", "B"), e("B", "A")]).size).toBe(2);
  });
});
