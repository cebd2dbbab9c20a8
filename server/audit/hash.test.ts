import { describe, expect, it } from "vitest";
import { GENESIS_HASH, eventHash } from "./index";

const base = {
  occurredAt: "2026-11-23T08:00:00.000Z",
  type: "auth.sign_in",
  actor: { type: "user" as const, id: "u1", label: "a@b" },
  plantId: null,
  subject: { type: "user", id: "u1" },
  data: { ip: "10.0.0.1" },
};

describe("audit event hash", () => {
  it("is independent of key order (canonical JSON)", () => {
    const reordered = { data: { ip: "10.0.0.1" }, subject: { id: "u1", type: "user" }, plantId: null, actor: { label: "a@b", id: "u1", type: "user" as const }, type: "auth.sign_in", occurredAt: base.occurredAt };
    expect(eventHash(GENESIS_HASH, reordered)).toBe(eventHash(GENESIS_HASH, base));
  });

  it("changes with any field and with the previous hash", () => {
    const h = eventHash(GENESIS_HASH, base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...base, data: { ip: "10.0.0.2" } })).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...base, occurredAt: "2026-11-23T08:00:00.001Z" })).not.toBe(h);
    expect(eventHash("f".repeat(64), base)).not.toBe(h);
  });
});
