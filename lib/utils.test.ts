import { describe, expect, it } from "vitest";
import { withKeys } from "./utils";

describe("withKeys", () => {
  it("keys items by content, numbering repeats so every key is unique", () => {
    const keys = withKeys(["a", "b", "a", "a#2", "a"], (s) => s).map((k) => k.key);
    expect(keys).toEqual(["a", "b", "a#2", "a#2#2", "a#3"]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("keeps an item's key when other items are inserted before it", () => {
    const before = withKeys([{ p: "/x" }, { p: "/y" }], (o) => o.p);
    const after = withKeys([{ p: "/w" }, { p: "/x" }, { p: "/y" }], (o) => o.p);
    expect(after.slice(1).map((k) => k.key)).toEqual(before.map((k) => k.key));
  });
});
