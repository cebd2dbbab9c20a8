import { describe, expect, it } from "vitest";
import { formatCount, formatDelta, formatDuration, formatInstant, formatRate, isoInZone, safeZone } from "./format";
import { EXCEPTION_STATUS_LABELS, humanize, labelOf, systemInSentence } from "./labels";

describe("one time convention", () => {
  const iso = "2026-12-06T14:18:05Z";
  it("writes an instant in the given zone and names the zone", () => {
    expect(formatInstant(iso, "Europe/Warsaw")).toBe("06 Dec 2026, 15:18 CET");
    expect(formatInstant(iso, "UTC", "time-seconds")).toBe("14:18:05 UTC");
  });
  it("the same instant reads the same on every page that uses the same zone", () => {
    expect(formatInstant(iso, "Europe/Berlin")).toBe(formatInstant(new Date(iso), "Europe/Berlin"));
  });
  it("an unknown or hostile zone falls back to UTC instead of throwing", () => {
    expect(safeZone("Mars/Olympus")).toBe("UTC");
    expect(formatInstant(iso, "<script>")).toContain("UTC");
    expect(formatInstant("not a date", "UTC")).toBe("—");
  });
  it("exports carry the zone's offset", () => {
    expect(isoInZone(iso, "Europe/Warsaw")).toBe("2026-12-06T15:18:05+01:00");
    expect(isoInZone("2026-07-01T00:00:00Z", "America/Chicago")).toBe("2026-06-30T19:00:00-05:00");
  });
});

describe("numbers and durations", () => {
  it("separates thousands and signs changes", () => {
    expect(formatCount(18306)).toBe("18,306");
    expect(formatDelta(-43)).toBe("\u221243");
    expect(formatDelta(2)).toBe("+2");
  });
  it("writes durations in words, never bare seconds", () => {
    expect(formatDuration(900)).toBe("15\u00a0min");
    expect(formatDuration(5400)).toBe("1\u00a0h 30\u00a0min");
    expect(formatDuration(45)).toBe("45\u00a0s");
    expect(formatRate(60)).toBe("60.0\u00a0/s");
  });
});

describe("labels", () => {
  it("never prints a raw code", () => {
    expect(labelOf(EXCEPTION_STATUS_LABELS, "AWAITING_APPROVAL")).toBe("Awaiting approval");
    expect(labelOf(EXCEPTION_STATUS_LABELS, "SOMETHING_NEW")).toBe("Something new");
    expect(humanize("self_approval")).toBe("Self approval");
  });
});

describe("system names", () => {
  it("names systems as people say them, inside a sentence too", () => {
    expect(systemInSentence("SAP_ERP")).toBe("SAP ERP");
    expect(systemInSentence("MES")).toBe("the MES");
    expect(systemInSentence("SUPPLIER_PORTAL")).toBe("the supplier portal");
  });
});
