import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH, type RawRow, canonicalJson, eventHash, isoFromEpochMs, storedCanonical } from "./index";

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
    const reordered = {
      data: { ip: "10.0.0.1" },
      subject: { id: "u1", type: "user" },
      plantId: null,
      actor: { label: "a@b", id: "u1", type: "user" as const },
      type: "auth.sign_in",
      occurredAt: base.occurredAt,
    };
    expect(eventHash(GENESIS_HASH, reordered)).toBe(eventHash(GENESIS_HASH, base));
  });

  it("changes with any field and with the previous hash", () => {
    const h = eventHash(GENESIS_HASH, base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...base, data: { ip: "10.0.0.2" } })).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...base, occurredAt: "2026-11-23T08:00:00.001Z" })).not.toBe(h);
    expect(eventHash("f".repeat(64), base)).not.toBe(h);
  });

  // Pinned vectors: the hash definition must never change (every stored row is verified against it).
  // Both were cross-checked outside JavaScript: sha256(prevHash + the RFC 8785 JSON written out by hand).
  it("matches pinned vectors: sha256(prevHash ‖ canonical JSON)", () => {
    expect(eventHash(GENESIS_HASH, base)).toBe("75fadb92c6b63308ffd2a250918ac87cd93d2ebfc6e1aeb85904a2b0c6c33d5d");
    const awkward = {
      occurredAt: "1999-12-31T23:59:59.999Z",
      type: "correction.saved",
      actor: { type: "system" as const, label: "Zoë 🏭" },
      plantId: "0b6f3c1e-8d2a-4f5b-9c7d-1e2f3a4b5c6d",
      subject: null,
      // canonical: {"patch":[{"value":0.30000000000000004},{"value":1e+21},{"value":0}],"s":"\"q\"\n\\"}
      data: { s: '"q"\n\\', patch: [{ value: 0.1 + 0.2 }, { value: 1e21 }, { value: -0 }] },
    };
    expect(eventHash("f".repeat(64), awkward)).toBe("cf8bea3ca0f00fcea465bb957c656f0209ffd3704fde9d374f9f0d3d62d475f9");
  });
});

/** Deterministic pseudo-random JSON values, as JSON.parse returns them (the verifier's input). */
function randomJson(seed: number) {
  let x = seed || 1;
  const rnd = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const strings = [
    "",
    "a",
    "Zoë",
    "工場",
    "🏭 emoji",
    '"quoted"',
    "back\\slash",
    "line\nbreak\ttab",
    "\u0000\u001f\u007f",
    "\u2028\u2029",
    "ünïcödé",
    "10",
    "__proto__",
    "toJSON",
    "€",
    "\ud83d\ude00",
  ];
  const numbers = [0, -0, 1, -1, 0.1 + 0.2, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_SAFE_INTEGER, -1.5, 100, 1e300];
  const value = (depth: number): unknown => {
    switch (rnd(depth > 3 ? 4 : 6)) {
      case 0:
        return null;
      case 1:
        return rnd(2) === 0;
      case 2:
        return numbers[rnd(numbers.length)];
      case 3:
        return strings[rnd(strings.length)];
      case 4:
        return Array.from({ length: rnd(4) }, () => value(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = rnd(6); i > 0; i--) o[strings[rnd(strings.length)]! + (rnd(3) === 0 ? String(rnd(20)) : "")] = value(depth + 1);
        return o;
      }
    }
  };
  // Through JSON text, as the verifier reads jsonb (own "__proto__" keys and all).
  return JSON.parse(JSON.stringify(value(0))) as unknown;
}

describe("verification fast path ≡ the hash definition", () => {
  it("canonicalJson equals canonicalize on JSON values", () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const v = randomJson(seed);
      expect(canonicalJson(v)).toBe(canonicalize(v));
    }
    const awkward = JSON.parse('{"b":[1,{"z":null,"a":[]}],"a":{"__proto__":{"x":1}},"10":1,"9":2,"é":"\\u2028","A":-0}') as unknown;
    expect(canonicalJson(awkward)).toBe(canonicalize(awkward));
    expect(canonicalJson({})).toBe("{}");
    expect(canonicalJson([])).toBe("[]");
  });

  it("isoFromEpochMs equals Date#toISOString", () => {
    const samples = [
      0, -1, 1, 999, 86_399_999, 86_400_000, -86_400_000, -86_400_001, 951_782_400_000, 1_763_884_800_123, 253_402_300_799_999, 253_402_300_800_000,
      -62_167_219_200_001, 8.64e15, -8.64e15,
    ];
    for (let i = 0; i < 5_000; i++) samples.push(Math.floor((Math.random() - 0.3) * 4e12), 1_700_000_000_000 + i * 37_013);
    for (const ms of samples) expect(isoFromEpochMs(ms), String(ms)).toBe(new Date(ms).toISOString());
    for (const bad of [8.64e15 + 1, -8.64e15 - 1, Number.NaN]) expect(() => isoFromEpochMs(bad)).toThrow(RangeError);
  });

  it("storedCanonical equals canonicalize(rowFields) for every actor, plant and subject shape", () => {
    const ms = 1_763_884_800_123;
    const rows: { raw: RawRow; fields: unknown }[] = [];
    const actors = [
      { raw: ["user", "u-1", "Zoë <z@x>"], actor: { type: "user", id: "u-1", label: "Zoë <z@x>" } },
      { raw: ["connector", "c-1", 'SAP "ERP"'], actor: { type: "connector", id: "c-1", label: 'SAP "ERP"' } },
      { raw: ["user", null, "no id"], actor: { type: "user", id: "", label: "no id" } }, // rowFields: id ?? ""
      { raw: ["system", null, "andon"], actor: { type: "system", label: "andon" } },
      { raw: ["anonymous", "ignored", "x@y"], actor: { type: "anonymous", label: "x@y" } }, // id only for user/connector
    ] as const;
    const subjects = [
      { raw: ["exception", "e-1"], subject: { type: "exception", id: "e-1" } },
      { raw: [null, null], subject: null },
      { raw: ["exception", null], subject: null },
      { raw: ["", "e-2"], subject: null }, // rowFields: both must be non-empty
    ] as const;
    for (const a of actors) {
      for (const sub of subjects) {
        for (const plantId of [null, "0b6f3c1e-8d2a-4f5b-9c7d-1e2f3a4b5c6d"]) {
          const data = randomJson(rows.length + 7);
          rows.push({
            raw: ["1", String(ms), "exception.assigned", a.raw[0], a.raw[1], a.raw[2], plantId, sub.raw[0], sub.raw[1], JSON.stringify(data), GENESIS_HASH, ""],
            fields: { occurredAt: new Date(ms).toISOString(), type: "exception.assigned", actor: a.actor, plantId, subject: sub.subject, data },
          });
        }
      }
    }
    for (const { raw, fields } of rows) expect(storedCanonical(raw, JSON.parse(raw[9]))).toBe(canonicalize(fields));
  });
});
