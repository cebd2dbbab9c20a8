import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import { overview } from "../../server/dashboards/overview";
import { plantInterfaceMetrics } from "../../server/dashboards/plant-metrics";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { MAX_RELATIVE_ERROR, SLO_QUANTILE, bucketOf, emptyHistogram, percentile, record } from "../../server/metrics/histogram";
import { compactHourly, sampleMinute } from "../../server/dashboards/rollup";
import { HEALTH_ORDER } from "../../server/dashboards/health";
import { plantSeries, stepFor } from "../../server/dashboards/series";
import { pool } from "../../server/db";
import { OPEN_STATUSES } from "../../lib/rules";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
let manager: Actor; // DE-HAM + PL-WRO
let managerMty: Actor; // MX-MTY only

/** Exact nearest-rank percentile of raw values, what the histogram approximates. */
const exact = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [manager, managerMty] = (await Promise.all(["manager@andon.local", "manager.mty@andon.local"].map(actor))) as [Actor, Actor];
});

describe("plant metrics from the rollups", () => {
  it("throughput, failure rate and p50/p95/p99 match the raw events within the histogram's error bound", async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
    // A window of its own, three hours back, so events other tests send "now" stay out of it.
    const start = new Date(Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000);
    const latencies: number[] = [];
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const events = Array.from({ length: 3000 }, (_, i) => {
      const failed = i % 30 === 0;
      // Log-normal-ish latencies from ~100 ms to minutes, so the percentiles spread over many buckets.
      const latencyMs = Math.round(Math.exp(5 + 4 * rand() * rand() + 2 * rand()));
      if (!failed) latencies.push(latencyMs);
      return {
        ok: true as const,
        value: {
          eventId: randomUUID(),
          correlationId: randomUUID(),
          messageId: `DM-${randomUUID()}`,
          interface: "GOODS_MOVEMENT",
          hop: { source: "ODOO", target: "SAP_ERP" },
          occurredAt: new Date(start.getTime() + (i % 10) * 60_000 + 1000).toISOString(),
          outcome: failed ? ("failed" as const) : ("delivered" as const),
          latencyMs,
          attempt: 1,
          ...(failed ? { error: { category: "technical" as const, code: "HTTP-503", message: "SAP inbound unavailable" }, payload: { q: 1 } } : {}),
        },
      };
    });
    for (let i = 0; i < events.length; i += 1000) {
      const r = await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, events.slice(i, i + 1000));
      expect(r.rejected).toEqual([]);
    }
    const m = await plantInterfaceMetrics(manager, "DE-HAM", { from: start.toISOString(), to: new Date(start.getTime() + 10 * 60_000).toISOString() });
    const gm = m.interfaces.find((i) => i.code === "GOODS_MOVEMENT")!;
    expect(gm.delivered).toBe(2900);
    expect(gm.failed).toBe(100);
    expect(gm.failureRate).toBeCloseTo(100 / 3000, 10);
    expect(gm.throughputPerMin).toBe(300);
    latencies.sort((a, b) => a - b);
    for (const [q, key] of [
      [0.5, "p50"],
      [0.95, "p95"],
      [0.99, "p99"],
    ] as const) {
      const approx = gm.latency[key]!;
      const truth = exact(latencies, q);
      const error = Math.abs(approx - truth) / truth;
      console.log(
        `${key}: histogram ${approx.toFixed(0)} ms, exact ${truth} ms, error ${(100 * error).toFixed(2)} % (bound ${(100 * MAX_RELATIVE_ERROR).toFixed(2)} %)`,
      );
      expect(error).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
    }
    // The SLO is judged per minute: breached as soon as one minute's p95 is above it (the range's p95 may not be).
    expect(gm.slo).toMatchObject({ unit: "minute", active: 10 });
    expect(gm.sloBreached).toBe(gm.slo.breached > 0);
    if (gm.latency.p95! > gm.sloMs) expect(gm.sloBreached).toBe(true);
    // Interfaces without traffic in the window say so instead of showing zeros as latencies.
    const quiet = m.interfaces.find((i) => i.code === "MATERIAL_MASTER")!;
    expect(quiet).toMatchObject({
      delivered: 0,
      failed: 0,
      failureRate: null,
      latency: { p50: null, p95: null, p99: null },
      slo: { unit: "minute", active: 0, breached: 0, breachShare: null },
      sloBreached: false,
    });
  });

  it("the open backlog by age adds up to the plant's open exceptions per interface", async () => {
    const m = await plantInterfaceMetrics(manager, "DE-HAM", { range: "1h" });
    const open = await db().exception.groupBy({
      by: ["interfaceId"],
      where: { plant: { code: "DE-HAM" }, status: { in: [...OPEN_STATUSES] } },
      _count: { _all: true },
    });
    const ifaces = await db().interface.findMany();
    for (const o of open) {
      const row = m.interfaces.find((i) => i.code === ifaces.find((x) => x.id === o.interfaceId)!.code)!;
      expect(Object.values(row.backlog).reduce((a, b) => a + b, 0)).toBe(o._count._all);
      expect(row.openTechnical + row.openBusiness).toBe(o._count._all);
    }
  });

  it("a plant outside the manager's scope does not exist for them; bad ranges are refused", async () => {
    await expect(plantInterfaceMetrics(managerMty, "DE-HAM", {})).rejects.toMatchObject({ status: 404 });
    await expect(plantInterfaceMetrics(manager, "NOPE", {})).rejects.toMatchObject({ status: 404 });
    await expect(plantInterfaceMetrics(manager, "DE-HAM", { range: "5y" })).rejects.toThrow();
    await expect(plantInterfaceMetrics(manager, "DE-HAM", { from: "2026-11-02T00:00:00Z", to: "2026-11-01T00:00:00Z" })).rejects.toThrow(/before/);
  });
});

describe("overview tiles", () => {
  it("each user gets tiles of their plants only; the open count is exactly the exceptions in an open status", async () => {
    expect((await overview(managerMty)).plants.map((t) => t.code)).toEqual(["MX-MTY"]);
    const { plants: tiles } = await overview(manager);
    expect(tiles.map((t) => t.code).toSorted()).toEqual(["DE-HAM", "PL-WRO"]);
    for (const t of tiles) {
      const open = await db().exception.count({ where: { plant: { code: t.code }, status: { in: [...OPEN_STATUSES] } } });
      expect(t.open.total).toBe(open);
      expect(t.lastHour.openAtEnd).toBe(open);
      expect(Object.values(t.open.bySeverity).reduce((a, b) => a + b, 0)).toBe(open);
      const connectors = await db().connector.count({ where: { plant: { code: t.code }, disabledAt: null } });
      expect(t.connectors).toHaveLength(connectors);
    }
  });
});

const event = (at: Date, latencyMs: number, failed = false) => ({
  ok: true as const,
  value: {
    eventId: randomUUID(),
    correlationId: randomUUID(),
    messageId: `DM-${randomUUID()}`,
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO" as const, target: "SAP_ERP" as const },
    occurredAt: at.toISOString(),
    outcome: failed ? ("failed" as const) : ("delivered" as const),
    latencyMs,
    attempt: 1,
    ...(failed ? { error: { category: "technical" as const, code: "HTTP-503", message: "SAP inbound unavailable" }, payload: { q: 1 } } : {}),
  },
});

describe("hourly rollups and the charts' series", () => {
  it("compaction changes no figure, and late telemetry for a compacted hour still counts at once and after recompaction", async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "PL-WRO" }, system: { kind: "ODOO" } } });
    const info = { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "PL-WRO" };
    // Three whole hours two days back (nobody else writes there), plus a partial hour on each side.
    const h0 = Math.floor((Date.now() - 2 * 86_400_000) / 3_600_000) * 3_600_000;
    const events = Array.from({ length: 600 }, (_, i) => event(new Date(h0 - 1_800_000 + i * 21_000), 50 + (i % 97) * 13, i % 20 === 0));
    expect((await ingestEvents(info, events)).rejected).toEqual([]);
    const range = { from: new Date(h0 - 1_800_000).toISOString(), to: new Date(h0 + 3 * 3_600_000 + 1_800_000).toISOString() };
    const before = await plantInterfaceMetrics(manager, "PL-WRO", range);
    await compactHourly();
    const { rows: hourRows } = await pool().query("SELECT count(*)::int AS n FROM telemetry_rollup_hour WHERE plant_id = $1 AND bucket >= $2 AND bucket < $3", [
      c.plantId,
      new Date(h0),
      new Date(h0 + 3 * 3_600_000),
    ]);
    expect(hourRows[0].n).toBeGreaterThan(0);
    const after = await plantInterfaceMetrics(manager, "PL-WRO", range);
    expect(after.interfaces).toEqual(before.interfaces);

    // Whole days around it are read from the daily rollups: the day before h0's to the day after the
    // late event's (h0 + 1 h, on the next day when h0 is 23:00), all in the past (h0 is two days back).
    const day0 = Math.floor(h0 / 86_400_000) * 86_400_000;
    const wide = { from: new Date(day0 - 86_400_000).toISOString(), to: new Date(day0 + 2 * 86_400_000).toISOString() };
    const gm = (m: typeof after) => m.interfaces.find((i) => i.code === "GOODS_MOVEMENT")!;
    const wideBefore = gm(await plantInterfaceMetrics(manager, "PL-WRO", wide));
    const { rows: dayRows } = await pool().query("SELECT count(*)::int AS n FROM telemetry_rollup_day WHERE plant_id = $1 AND bucket = $2", [
      c.plantId,
      new Date(day0),
    ]);
    expect(dayRows[0].n).toBeGreaterThan(0);

    // A late event for a compacted hour: counted at once (its hour is read from the minutes and its
    // day hour by hour while dirty)...
    expect((await ingestEvents(info, [event(new Date(h0 + 3_600_000 + 60_000), 70)])).rejected).toEqual([]);
    const late = await plantInterfaceMetrics(manager, "PL-WRO", range);
    expect(gm(late).delivered).toBe(gm(before).delivered + 1);
    expect(gm(await plantInterfaceMetrics(manager, "PL-WRO", wide)).delivered).toBe(wideBefore.delivered + 1);
    // ...and by the hour row once recompacted.
    await compactHourly();
    const { rows: dirty } = await pool().query("SELECT count(*)::int AS n FROM telemetry_rollup_dirty WHERE plant_id = $1 AND hour = $2", [
      c.plantId,
      new Date(h0 + 3_600_000),
    ]);
    expect(dirty[0].n).toBe(0);
    expect(gm(await plantInterfaceMetrics(manager, "PL-WRO", range)).delivered).toBe(gm(before).delivered + 1);
    const wideAfter = gm(await plantInterfaceMetrics(manager, "PL-WRO", wide));
    expect(wideAfter.delivered).toBe(wideBefore.delivered + 1);

    // The series over the same range (4 h → 5-minute steps): its totals match the table.
    const series = await plantSeries(manager, "PL-WRO", { ...range, interface: "GOODS_MOVEMENT" });
    expect(series.stepMs).toBe(stepFor(4 * 3_600_000));
    // Compacted hours are not read for 5-minute steps: an hour's row would fill the first step of its hour
    // and leave eleven empty (a latency chart drawing nothing while the table has values).
    expect(series.traffic).toHaveLength(48);
    const deliveredSteps = new Set(events.filter((e) => e.value.outcome === "delivered").map((e) => Math.floor(Date.parse(e.value.occurredAt) / 300_000)));
    expect(deliveredSteps.size).toBeGreaterThan(40);
    expect(series.traffic.filter((p) => p.delivered > 0 && p.p95 !== null)).toHaveLength(deliveredSteps.size);
    expect(series.traffic.reduce((n, p) => n + p.delivered, 0)).toBe(gm(before).delivered + 1);
    expect(series.traffic.reduce((n, p) => n + p.failed, 0)).toBe(gm(before).failed);
    expect(series.interface).toMatchObject({ code: "GOODS_MOVEMENT" });
    // Empty steps are explicit: zero messages, no latency (never a made-up value).
    const empty = await plantSeries(manager, "PL-WRO", {
      from: new Date(h0 - 6 * 3_600_000).toISOString(),
      to: new Date(h0 - 5 * 3_600_000).toISOString(),
      interface: "GOODS_MOVEMENT",
    });
    expect(empty.traffic).toHaveLength(60);
    expect(empty.traffic.every((p) => p.delivered === 0 && p.failed === 0 && p.p95 === null)).toBe(true);
  });

  it("series are scoped like the table and refuse unknown interfaces", async () => {
    await expect(plantSeries(managerMty, "PL-WRO", {})).rejects.toMatchObject({ status: 404 });
    await expect(plantSeries(manager, "PL-WRO", { interface: "NOPE" })).rejects.toMatchObject({ status: 404 });
    // "from" alone runs to now: from year 0 is a 2,000-year axis, refused before any work (was a timeout).
    await expect(plantSeries(manager, "PL-WRO", { from: "0000-01-01T00:00:00Z" })).rejects.toMatchObject({ status: 400, code: "invalid_range" });
    await expect(plantInterfaceMetrics(manager, "PL-WRO", { from: "0000-01-01T00:00:00Z" })).rejects.toMatchObject({ status: 400 });
    // A range ending in year 0 (24 h back from "to"): refused, not a database error (the fuzzer's 500).
    for (const q of [{ to: "0000-01-01T00:00:00Z" }, { from: "1999-12-31T00:00:00Z", to: "2000-01-01T00:00:00Z" }]) {
      await expect(plantInterfaceMetrics(manager, "PL-WRO", q)).rejects.toMatchObject({ status: 400, code: "invalid_range" });
      await expect(plantSeries(manager, "PL-WRO", q)).rejects.toMatchObject({ status: 400, code: "invalid_range" });
    }
    expect(stepFor(3_600_000)).toBe(60_000);
    expect(stepFor(30 * 86_400_000)).toBe(6 * 3_600_000);
  });

  it("a minute's samples hold each plant's open backlog by age and each connector's heartbeat age", async () => {
    // A minute of its own (the workers other files start sample the current minute too).
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 3 * 86_400_000 + 59_000);
    await db().connector.updateMany({ where: { plant: { code: "DE-HAM" } }, data: { lastHeartbeatAt: new Date(now.getTime() - 42_000), reportedBacklog: 7 } });
    await sampleMinute(now);
    const plant = await db().plant.findUniqueOrThrow({ where: { code: "DE-HAM" } });
    const sample = await db().backlogSample.findUniqueOrThrow({
      where: { plantId_at: { plantId: plant.id, at: new Date(Math.floor(now.getTime() / 60_000) * 60_000) } },
    });
    const open = await db().exception.count({ where: { plantId: plant.id, status: { notIn: ["RESOLVED", "DISCARDED"] } } });
    expect(sample.lt15m + sample.lt1h + sample.lt4h + sample.lt24h + sample.older).toBe(open);
    expect(sample.technical + sample.business).toBe(open);
    const samples = await db().connectorSample.findMany({ where: { plantId: plant.id, at: sample.at } });
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => s.heartbeatAgeS === 42 && s.backlog === 7)).toBe(true);
    const series = await plantSeries(manager, "DE-HAM", { range: "1h" }, new Date(now.getTime() + 1000));
    expect(series.backlog.at(-1)).toMatchObject({ lt15m: sample.lt15m, older: sample.older });
    expect(series.connectors.every((c) => c.points.at(-1)?.heartbeatAgeS === 42)).toBe(true);
  });
});

describe("the latency SLO judged minute by minute, one health state per plant", () => {
  const MIN = 60_000;
  // An hour of its own, five days back (nobody else writes there), ending on a whole minute.
  const end = new Date(Math.floor((Date.now() - 5 * 86_400_000) / MIN) * MIN);
  const start = new Date(end.getTime() - 60 * MIN);
  const SLOW = new Map([
    [10, 70_000],
    [30, 160_000],
    [45, 70_000],
  ]);

  it("an hour whose p95 is within the 60 s SLO but with minutes at 70 s and 160 s is not 'within SLO': the share in breach is shown and the plant is worse than healthy", async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
    const info = { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" };
    // 50 fast messages (800 ms) in each minute, except three minutes of 4 slow ones.
    const events = Array.from({ length: 60 }, (_, m) =>
      SLOW.has(m)
        ? Array.from({ length: 4 }, (_, k) => event(new Date(start.getTime() + m * MIN + 1000 + k * 5000), SLOW.get(m)!))
        : Array.from({ length: 50 }, (_, k) => event(new Date(start.getTime() + m * MIN + 500 + k * 1000), 800)),
    ).flat();
    // The same hour yesterday: 30 fast messages, one a minute.
    const yesterday = Array.from({ length: 30 }, (_, m) => event(new Date(start.getTime() - 86_400_000 + m * MIN + 2000), 500));
    for (let i = 0; i < events.length; i += 1000) expect((await ingestEvents(info, events.slice(i, i + 1000))).rejected).toEqual([]);
    expect((await ingestEvents(info, yesterday)).rejected).toEqual([]);
    // The open backlog sampled at this time yesterday; the connectors report, with no backlog of their own.
    await db().backlogSample.create({
      data: { plantId: c.plantId, at: new Date(end.getTime() - 86_400_000 - MIN), lt15m: 1, lt1h: 2, lt4h: 3, lt24h: 4, older: 5, technical: 7, business: 8 },
    });
    await db().connector.updateMany({ where: { plantId: c.plantId }, data: { lastHeartbeatAt: new Date(end.getTime() - 30_000), reportedBacklog: null } });

    const m = await plantInterfaceMetrics(manager, "DE-HAM", { from: start.toISOString(), to: end.toISOString() });
    const gm = m.interfaces.find((i) => i.code === "GOODS_MOVEMENT")!;
    // The hour's p95 is within the SLO: judged on it, the interface would read "within SLO".
    expect(gm.latency.p95!).toBeLessThan(gm.sloMs);
    expect(gm.slo).toEqual({ unit: "minute", active: 60, breached: 3, breachShare: 0.05 });
    expect(gm.sloBreached).toBe(true);
    expect(m.slo).toMatchObject({ active: 60, breached: 3 });

    // The chart at one-minute steps marks exactly those minutes, each with its p95 above the SLO.
    const series = await plantSeries(manager, "DE-HAM", { from: start.toISOString(), to: end.toISOString(), interface: "GOODS_MOVEMENT" });
    const marked = series.traffic.filter((p) => (p.breaches ?? 0) > 0);
    expect(marked.map((p) => (new Date(p.t).getTime() - start.getTime()) / MIN)).toEqual([10, 30, 45]);
    expect(marked.every((p) => p.p95! > gm.sloMs)).toBe(true);
    expect(series.traffic.filter((p) => p.p95 !== null && p.p95 > gm.sloMs)).toHaveLength(3);

    // The tile of that hour: not "within SLO", the share in breach said, a health state worse than healthy.
    const { plants } = await overview(manager, end);
    const tile = plants.find((t) => t.code === "DE-HAM")!;
    expect(tile.lastHour.slo).toEqual({ activeMinutes: 60, breachMinutes: 3 });
    expect(tile.lastHour.sloBreaches).toEqual([{ code: "GOODS_MOVEMENT", activeMinutes: 60, breachMinutes: 3 }]);
    expect(HEALTH_ORDER.indexOf(tile.health.state)).toBeLessThan(HEALTH_ORDER.indexOf("healthy"));
    expect(tile.health.reasons).toContainEqual({ state: "degraded", text: "GOODS_MOVEMENT above its latency SLO in 3 of 60 minutes (5.0\u00a0%)" });
    // The tile's last hour is the plant page's 1 h table.
    const hour = await plantInterfaceMetrics(manager, "DE-HAM", { range: "1h" }, end);
    expect(tile.lastHour.messages).toBe(hour.interfaces.reduce((n, i) => n + i.delivered + i.failed, 0));
    expect(tile.lastHour.messages).toBe(57 * 50 + 3 * 4);
    // Worst first.
    const ranks = plants.map((t) => HEALTH_ORDER.indexOf(t.health.state));
    expect(ranks).toEqual(ranks.toSorted((a, b) => a - b));

    // The same hour yesterday and last week, with the open backlog then; the trend starts from that same sample.
    expect(tile.compare.yesterday).toMatchObject({ messages: 30, failed: 0, slo: { activeMinutes: 30, breachMinutes: 0 }, openAtEnd: 15 });
    expect(tile.compare.lastWeek).toMatchObject({ messages: 0, slo: { activeMinutes: 0, breachMinutes: 0 }, openAtEnd: null });
    expect(new Date(tile.compare.yesterday.to).getTime()).toBe(end.getTime() - 86_400_000);
    expect(tile.trend).toHaveLength(24);
    expect(tile.trend[0]).toEqual({ t: new Date(end.getTime() - 86_400_000).toISOString(), open: 15 });
  });

  it("compaction's p95 bucket (andon_histogram_rank) is the bucket `percentile` answers, for any histogram", async () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const hists = Array.from({ length: 300 }, (_, n) => {
      const h = emptyHistogram();
      const count = n < 20 ? n + 1 : 1 + Math.floor(rand() * 400);
      for (let i = 0; i < count; i++) record(h, Math.exp(rand() * 14));
      return h;
    });
    const { rows } = await pool().query<{ k: number | null }>(
      "SELECT andon_histogram_rank(h::int[], $2) AS k FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(j, i), LATERAL (SELECT array_agg(x::int) AS h FROM jsonb_array_elements_text(a.j) x) b ORDER BY a.i",
      [JSON.stringify(hists), SLO_QUANTILE],
    );
    expect(rows.map((r) => r.k)).toEqual(hists.map((h) => bucketOf(percentile(h, SLO_QUANTILE)!)));
    expect((await pool().query("SELECT andon_histogram_rank($1::int[], 0.95) AS k", [emptyHistogram()])).rows[0].k).toBeNull();
  });

  it("over a range longer than a day the same minutes are judged, from the compacted hours; the plant counts a minute once whichever interfaces breach in it", async () => {
    // Another interface of the plant in the same hour: above its SLO in minute 10 (as GOODS_MOVEMENT) and in minute 20.
    const mes = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "MES" } } });
    const confirm = await db().interface.findUniqueOrThrow({ where: { code: "PRODORD_CONFIRM" } });
    const confirmation = (m: number, latencyMs: number) => {
      const e = event(new Date(start.getTime() + m * MIN + 3000), latencyMs);
      return { ...e, value: { ...e.value, interface: "PRODORD_CONFIRM", hop: { source: "MES" as const, target: "SAP_ERP" as const } } };
    };
    const slow = confirm.latencySloMs * 3;
    const info = { connectorId: mes.id, connectorName: mes.name, plantId: mes.plantId, plantCode: "DE-HAM" };
    expect((await ingestEvents(info, [confirmation(10, slow), confirmation(20, slow), confirmation(40, 100)])).rejected).toEqual([]);

    const from = new Date(start.getTime() - 25 * 3_600_000); // also holds yesterday's 30 fast minutes
    const before = await plantInterfaceMetrics(manager, "DE-HAM", { from: from.toISOString(), to: end.toISOString() });
    await compactHourly();
    // The hours of that range are compacted, and kept each minute's p95 bucket.
    const { rows: hours } = await pool().query<{ n: number; kept: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE minute_p95 IS NOT NULL AND minutes_active IS NOT NULL)::int AS kept
       FROM telemetry_rollup_hour WHERE plant_id = $1 AND outcome = 'DELIVERED' AND bucket >= $2 AND bucket < $3`,
      [mes.plantId, new Date(Math.ceil(start.getTime() / 3_600_000) * 3_600_000 - 3_600_000), end],
    );
    expect(hours[0]!.n).toBeGreaterThan(0);
    expect(hours[0]!.kept).toBe(hours[0]!.n);
    const m = await plantInterfaceMetrics(manager, "DE-HAM", { from: from.toISOString(), to: end.toISOString() });
    // The same figures as from the minute rows, minute by minute over 25 hours.
    expect(m.interfaces).toEqual(before.interfaces);
    expect(m.slo).toEqual(before.slo);
    const gm = m.interfaces.find((i) => i.code === "GOODS_MOVEMENT")!;
    expect(gm.slo).toEqual({ unit: "minute", active: 90, breached: 3, breachShare: 3 / 90 });
    expect(m.interfaces.find((i) => i.code === "PRODORD_CONFIRM")!.slo).toEqual({ unit: "minute", active: 3, breached: 2, breachShare: 2 / 3 });
    // Minutes 10, 20, 30 and 45 of the 90 with deliveries: minute 10 once, though two interfaces breach in it.
    expect(m.slo).toEqual({ unit: "minute", active: 90, breached: 4, breachShare: 4 / 90 });
    // The chart over those 25 hours marks the steps holding GOODS_MOVEMENT's three minutes.
    const series = await plantSeries(manager, "DE-HAM", { from: from.toISOString(), to: end.toISOString(), interface: "GOODS_MOVEMENT" });
    expect(series.sloUnit).toBe("minute");
    expect(series.traffic.reduce((n, p) => n + (p.breaches ?? 0), 0)).toBe(3);
    const minuteOf = [10, 30, 45].map((k) => start.getTime() + k * MIN);
    for (const p of series.traffic.filter((x) => (x.breaches ?? 0) > 0)) {
      const t = new Date(p.t).getTime();
      expect(minuteOf.some((b) => b >= t && b < t + series.stepMs)).toBe(true);
    }
  });

  it("a disabled connector leaves the dashboards' connector health: it never shows silent, and leaves the charts", async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "MX-MTY" } }, orderBy: { name: "asc" } });
    const before = { lastHeartbeatAt: c.lastHeartbeatAt, disabledAt: c.disabledAt };
    const now = new Date();
    try {
      await db().connector.update({ where: { id: c.id }, data: { lastHeartbeatAt: new Date(now.getTime() - 3_600_000), disabledAt: null } });
      let tile = (await overview(managerMty, now)).plants[0]!;
      expect(tile.connectors.find((x) => x.name === c.name)).toMatchObject({ silent: true });
      expect(tile.health.state).toBe("critical");
      expect(tile.health.reasons.some((r) => r.text.includes(c.name) && r.text.includes("silent"))).toBe(true);

      await db().connector.update({ where: { id: c.id }, data: { disabledAt: now } });
      await sampleMinute(new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 7 * 86_400_000));
      tile = (await overview(managerMty, now)).plants[0]!;
      expect(tile.connectors.map((x) => x.name)).not.toContain(c.name);
      expect(tile.health.reasons.some((r) => r.text.includes(c.name))).toBe(false);
      const series = await plantSeries(managerMty, "MX-MTY", { range: "1h" });
      expect(series.connectors.map((x) => x.id)).not.toContain(c.id);
      expect(await db().connectorSample.count({ where: { connectorId: c.id, at: { gte: new Date(now.getTime() + 6 * 86_400_000) } } })).toBe(0);
    } finally {
      await db().connector.update({ where: { id: c.id }, data: before });
    }
  });

  it("a chart has a point per step: where no sample was taken the point is null (a gap), never skipped", async () => {
    const plant = await db().plant.findUniqueOrThrow({ where: { code: "PL-WRO" } });
    // Thirty minutes of their own, ten days back: samples in minutes 0–4 and 22–29, none in between (the portal was down).
    const t0 = Math.floor((Date.now() - 10 * 86_400_000) / 3_600_000) * 3_600_000;
    const minutes = [0, 1, 2, 3, 4, 22, 23, 24, 25, 26, 27, 28, 29];
    await db().backlogSample.createMany({
      data: minutes.map((m) => ({
        plantId: plant.id,
        at: new Date(t0 + m * 60_000),
        lt15m: m,
        lt1h: 0,
        lt4h: 0,
        lt24h: 0,
        older: 1,
        technical: 0,
        business: m + 1,
      })),
    });
    const series = await plantSeries(manager, "PL-WRO", { from: new Date(t0).toISOString(), to: new Date(t0 + 30 * 60_000).toISOString() });
    expect(series.stepMs).toBe(60_000);
    expect(series.backlog).toHaveLength(30);
    expect(series.backlog.map((b) => b.lt15m)).toEqual(Array.from({ length: 30 }, (_, m) => (minutes.includes(m) ? m : null)));
    expect(series.traffic).toHaveLength(30);
    expect(series.connectors.every((c) => c.points.length === 30)).toBe(true);
  });
});
