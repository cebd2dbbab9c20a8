import { describe, expect, it } from "vitest";
import type { PlantTile } from "@/server/dashboards/overview";
import type { InterfaceMetrics } from "@/server/dashboards/plant-metrics";
import type { ExceptionBatch } from "@/server/realtime/events";
import { overviewOpened, overviewResolved, overviewTick, plantOpened } from "./dashboard-patches";

const window = (from: string, to: string) => ({ from, to, messages: 0, failed: 0, slo: { activeMinutes: 0, breachMinutes: 0 }, openAtEnd: null });
const tile = (id: string): PlantTile => ({
  id,
  code: id.toUpperCase(),
  name: id,
  timezone: "UTC",
  health: { state: "healthy", reasons: [] },
  open: { total: 3, bySeverity: { CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 0 }, oldestFirstSeenAt: "2026-11-23T08:00:00.000Z" },
  lastHour: {
    ...window("2026-11-23T08:00:00.000Z", "2026-11-23T09:00:00.000Z"),
    opened: 1,
    closed: 0,
    messages: 100,
    failed: 5,
    failureRate: 0.05,
    sloBreaches: [],
    openAtEnd: 3,
  },
  compare: {
    yesterday: window("2026-11-22T08:00:00.000Z", "2026-11-22T09:00:00.000Z"),
    lastWeek: window("2026-11-16T08:00:00.000Z", "2026-11-16T09:00:00.000Z"),
  },
  connectors: [],
  alerts: { open: 0, firing: 0 },
  findings: { open: 0, unacknowledged: 0, byKind: { LATE: 0, STOPPED: 0, FLOOD: 0, MISSED_RUN: 0 }, byInterface: [], oldestOpenedAt: null },
  trend: [],
});
const item = (severity: "CRITICAL" | "LOW", interfaceCode = "GOODS_MOVEMENT", category: "TECHNICAL" | "BUSINESS" = "BUSINESS") => ({
  id: Math.random().toString(36),
  plantId: "a",
  interfaceCode,
  transactionId: "t",
  messageId: "m",
  status: "NEW" as const,
  severity,
  category,
  errorCode: "E",
  errorMessage: "e",
  occurrences: 1,
  lastSeenAt: "2026-11-23T09:00:00.000Z",
});
const batch = (items: ReturnType<typeof item>[], total = items.length): ExceptionBatch => ({ plantId: "a", items, total });

const generatedAt = "2026-11-23T09:00:00.000Z";
const overview = (...plants: PlantTile[]) => ({ generatedAt, plants });

describe("live patches of the overview", () => {
  it("counts opened exceptions into their plant's tile only; the open count and the last hour's end agree", () => {
    const out = overviewOpened(overview(tile("a"), tile("b")), batch([item("CRITICAL"), item("LOW")]))!;
    expect(out.generatedAt).toBe(generatedAt);
    expect(out.plants[0]!.open).toMatchObject({ total: 5, bySeverity: { CRITICAL: 2, HIGH: 2, LOW: 1 } });
    expect(out.plants[0]!.lastHour).toMatchObject({ opened: 3, openAtEnd: 5 });
    expect(out.plants[1]).toEqual(tile("b"));
  });
  it("refuses to patch a batch the server cut short (the caller refetches)", () => {
    expect(overviewOpened(overview(tile("a")), batch([item("LOW")], 500))).toBeNull();
    expect(overviewResolved(overview(tile("a")), batch([item("LOW")], 500))).toBeNull();
  });
  it("takes resolved exceptions off without going below zero", () => {
    const out = overviewResolved(overview(tile("a")), batch([item("CRITICAL"), item("CRITICAL")]))!;
    expect(out.plants[0]!.open).toMatchObject({ total: 1, bySeverity: { CRITICAL: 0, HIGH: 2 } });
    expect(out.plants[0]!.lastHour).toMatchObject({ closed: 2, openAtEnd: 1 });
  });
  it("adds a metrics tick to the last hour's messages and recomputes the failure rate", () => {
    const out = overviewTick(overview(tile("a")), { plantId: "a", at: "", outcomes: { RECEIVED: 7, DELIVERED: 95, FAILED: 5, RETRYING: 0 } })!;
    expect(out.plants[0]!.lastHour).toMatchObject({ messages: 200, failed: 10, failureRate: 0.05 });
  });
});

describe("live patches of a plant's table", () => {
  const row = (code: string): InterfaceMetrics => ({
    code,
    name: code,
    criticality: "HIGH",
    sloMs: 1000,
    delivered: 10,
    failed: 1,
    throughputPerMin: 1,
    failureRate: 0.1,
    latency: { p50: 1, p95: 2, p99: 3 },
    slo: { unit: "minute", active: 10, breached: 0, breachShare: 0 },
    sloBreached: false,
    backlog: { lt15m: 1, lt1h: 0, lt4h: 0, lt24h: 0, older: 2 },
    openTechnical: 2,
    openBusiness: 1,
  });
  it("puts new exceptions in the < 15 min bucket of their interface and category", () => {
    const data = { plant: { id: "a" }, interfaces: [row("GOODS_MOVEMENT"), row("QUALITY_HOLD")] };
    const out = plantOpened(data, batch([item("LOW", "GOODS_MOVEMENT", "TECHNICAL"), item("LOW", "GOODS_MOVEMENT")]))!;
    expect(out.interfaces[0]).toMatchObject({ backlog: { lt15m: 3, older: 2 }, openTechnical: 3, openBusiness: 2 });
    expect(out.interfaces[1]).toEqual(row("QUALITY_HOLD"));
    expect(plantOpened({ plant: { id: "other" }, interfaces: [] }, batch([item("LOW")]))).toEqual({ plant: { id: "other" }, interfaces: [] });
  });
});
