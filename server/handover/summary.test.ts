import { describe, expect, it } from "vitest";
import { LISTED_FINDINGS, type SummaryRows, TOP_ITEMS, shapeSummary, topPairs } from "./summary";

const end = new Date("2026-12-08T13:00:00Z");
const at = (iso: string) => new Date(iso);
const empty: SummaryRows = {
  failed: [],
  closed: [],
  openAtEnd: [],
  oldestOpen: null,
  findingCounts: [],
  findings: [],
  alertCounts: { fired: 0, openAtEnd: 0 },
  alerts: [],
};

describe("handover summary shaping", () => {
  it("a quiet shift is all zeros, every severity and kind present", () => {
    const s = shapeSummary(empty, end);
    expect(s.exceptions).toEqual({
      failed: 0,
      resolved: 0,
      discarded: 0,
      topFailed: [],
      topClosed: [],
      openAtEnd: { total: 0, bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 }, oldest: null },
    });
    expect(s.findings.openedByKind).toEqual({ LATE: 0, STOPPED: 0, FLOOD: 0, MISSED_RUN: 0 });
    expect(s.alerts).toEqual({ fired: 0, openAtEnd: 0, items: [] });
  });

  it("counts exceptions and ranks the interface × error pairs, largest first, capped", () => {
    const failed = [
      { interfaceCode: "GOODS_MOVEMENT", errorCode: "M7-021", n: 4 },
      { interfaceCode: "PRODORD_CONFIRM", errorCode: "RU-100", n: 7 },
      ...Array.from({ length: 6 }, (_, i) => ({ interfaceCode: "SUPPLIER_ASN", errorCode: `E${i}`, n: 1 })),
    ];
    const s = shapeSummary(
      {
        ...empty,
        failed,
        closed: [
          { interfaceCode: "GOODS_MOVEMENT", errorCode: "M7-021", status: "RESOLVED", n: 3 },
          { interfaceCode: "GOODS_MOVEMENT", errorCode: "M7-021", status: "DISCARDED", n: 1 },
        ],
        openAtEnd: [
          { severity: "HIGH", n: 2 },
          { severity: "LOW", n: 5 },
        ],
        oldestOpen: { id: "x", interfaceCode: "GOODS_MOVEMENT", errorCode: "M7-021", severity: "HIGH", firstSeenAt: at("2026-12-07T01:00:00Z") },
      },
      end,
    );
    expect(s.exceptions.failed).toBe(17);
    expect(s.exceptions.resolved).toBe(3);
    expect(s.exceptions.discarded).toBe(1);
    expect(s.exceptions.topFailed).toHaveLength(TOP_ITEMS);
    expect(s.exceptions.topFailed.slice(0, 3)).toEqual([
      { interfaceCode: "PRODORD_CONFIRM", errorCode: "RU-100", count: 7 },
      { interfaceCode: "GOODS_MOVEMENT", errorCode: "M7-021", count: 4 },
      { interfaceCode: "SUPPLIER_ASN", errorCode: "E0", count: 1 },
    ]);
    // Resolved and discarded of the same pair are one closed group.
    expect(s.exceptions.topClosed).toEqual([{ interfaceCode: "GOODS_MOVEMENT", errorCode: "M7-021", count: 4 }]);
    expect(s.exceptions.openAtEnd).toMatchObject({ total: 7, bySeverity: { CRITICAL: 0, HIGH: 2, MEDIUM: 0, LOW: 5 } });
    expect(s.exceptions.openAtEnd.oldest?.firstSeenAt).toBe("2026-12-07T01:00:00.000Z");
  });

  it("lists unresolved findings first, then the most severe, and marks what was open at the end", () => {
    const f = (id: string, severity: string, resolvedAt: string | null) => ({
      id,
      kind: "STOPPED",
      interfaceCode: "PRODORD_CONFIRM",
      severity,
      summary: id,
      openedAt: at("2026-12-08T06:00:00Z"),
      resolvedAt: resolvedAt ? at(resolvedAt) : null,
    });
    const s = shapeSummary(
      {
        ...empty,
        findingCounts: [
          { kind: "STOPPED", opened: 3, openAtEnd: 2 },
          { kind: "LATE", opened: 10, openAtEnd: 0 },
        ],
        findings: [f("cleared", "CRITICAL", "2026-12-08T07:00:00Z"), f("low", "LOW", null), f("high", "HIGH", "2026-12-08T14:00:00Z")],
      },
      end,
    );
    expect(s.findings.openedByKind).toEqual({ LATE: 10, STOPPED: 3, FLOOD: 0, MISSED_RUN: 0 });
    expect(s.findings.openAtEndByKind).toEqual({ LATE: 0, STOPPED: 2, FLOOD: 0, MISSED_RUN: 0 });
    expect(s.findings.items.map((i) => [i.id, i.openAtEnd])).toEqual([
      ["high", true], // resolved only after the shift ended: still open at its end
      ["low", true],
      ["cleared", false],
    ]);
  });

  it("never lists more findings than the cap", () => {
    const many = Array.from({ length: LISTED_FINDINGS + 5 }, (_, i) => ({
      id: `f${i}`,
      kind: "LATE",
      interfaceCode: "X",
      severity: "MEDIUM",
      summary: "late",
      openedAt: at("2026-12-08T06:00:00Z"),
      resolvedAt: null,
    }));
    expect(shapeSummary({ ...empty, findings: many }, end).findings.items).toHaveLength(LISTED_FINDINGS);
  });

  it("topPairs merges rows of the same pair", () => {
    expect(
      topPairs([
        { interfaceCode: "A", errorCode: "1", n: 1 },
        { interfaceCode: "A", errorCode: "1", n: 2 },
      ]),
    ).toEqual([{ interfaceCode: "A", errorCode: "1", count: 3 }]);
  });
});
