import type { ExceptionBatch, MetricsTick } from "@/server/realtime/events";
import type { Overview } from "@/server/dashboards/overview";
import type { InterfaceMetrics } from "@/server/dashboards/plant-metrics";

/**
 * Pure cache patches for live events: what can be derived exactly from an event is applied at once
 * (counts of opened and closed exceptions, messages of the last hour); everything else is refetched
 * by the caller shortly after. A batch cut short by the server (total > items) is not patched: the
 * caller refetches instead (returns null).
 */
type Tiles = Overview;

export function overviewOpened(data: Tiles | undefined, b: ExceptionBatch): Tiles | undefined | null {
  if (!data) return data;
  if (b.total > b.items.length) return null;
  return {
    ...data,
    plants: data.plants.map((p) => {
      if (p.id !== b.plantId) return p;
      const bySeverity = { ...p.open.bySeverity };
      for (const i of b.items) bySeverity[i.severity] += 1;
      const oldest = p.open.oldestFirstSeenAt ?? b.items.reduce<string | null>((o, i) => (o === null || i.lastSeenAt < o ? i.lastSeenAt : o), null);
      return {
        ...p,
        open: { total: p.open.total + b.items.length, bySeverity, oldestFirstSeenAt: oldest },
        lastHour: { ...p.lastHour, opened: p.lastHour.opened + b.items.length, openAtEnd: p.open.total + b.items.length },
      };
    }),
  };
}

export function overviewResolved(data: Tiles | undefined, b: ExceptionBatch): Tiles | undefined | null {
  if (!data) return data;
  if (b.total > b.items.length) return null;
  return {
    ...data,
    plants: data.plants.map((p) => {
      if (p.id !== b.plantId) return p;
      const bySeverity = { ...p.open.bySeverity };
      for (const i of b.items) bySeverity[i.severity] = Math.max(0, bySeverity[i.severity] - 1);
      // The oldest one may have closed: left as is until the refetch that follows.
      return {
        ...p,
        open: { ...p.open, total: Math.max(0, p.open.total - b.items.length), bySeverity },
        lastHour: { ...p.lastHour, closed: p.lastHour.closed + b.items.length, openAtEnd: Math.max(0, p.open.total - b.items.length) },
      };
    }),
  };
}

export function overviewTick(data: Tiles | undefined, t: MetricsTick): Tiles | undefined {
  if (!data) return data;
  const add = t.outcomes.DELIVERED + t.outcomes.FAILED;
  if (add === 0) return data;
  return {
    ...data,
    plants: data.plants.map((p) => {
      if (p.id !== t.plantId) return p;
      const messages = p.lastHour.messages + add;
      const failed = p.lastHour.failed + t.outcomes.FAILED;
      return { ...p, lastHour: { ...p.lastHour, messages, failed, failureRate: messages ? failed / messages : null } };
    }),
  };
}

type Metrics = { plant: { id: string }; interfaces: InterfaceMetrics[] };

/** New exceptions are younger than 15 minutes: they join that age bucket and their category's count. */
export function plantOpened<M extends Metrics>(data: M | undefined, b: ExceptionBatch): M | undefined | null {
  if (!data || data.plant.id !== b.plantId) return data;
  if (b.total > b.items.length) return null;
  return {
    ...data,
    interfaces: data.interfaces.map((i) => {
      const mine = b.items.filter((x) => x.interfaceCode === i.code);
      if (!mine.length) return i;
      const technical = mine.filter((x) => x.category === "TECHNICAL").length;
      return {
        ...i,
        backlog: { ...i.backlog, lt15m: i.backlog.lt15m + mine.length },
        openTechnical: i.openTechnical + technical,
        openBusiness: i.openBusiness + mine.length - technical,
      };
    }),
  };
}
