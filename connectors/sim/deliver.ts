import { randomUUID } from "node:crypto";
import type { IngestEventInput } from "../../server/ingest/schema";
import { type ReplayHandler, type ReplayOutcome, runReplayHandler } from "../sdk/replay";
import type { Failure, HopSpec, PlannedMessage } from "./flows";
import { int, latencyMs, type Rng, type System, TRAFFIC } from "./traffic";
import { type PlantContext, runs } from "./world";

/**
 * Delivering one business message hop by hop, the way the target system's connector does: through
 * the connector's replay handler (replay.ts: the same code a replay from Andon runs), with an
 * idempotency key per hop that every retry reuses (a target that applied a message whose answer was
 * lost applies the retry once), and every outcome reported to Andon through the connector's ingest
 * client with the payload in the target's JSON form.
 */

export type Reporter = { send(event: IngestEventInput): Promise<void> };

export type DeliveryStats = {
  messages: number;
  delivered: number;
  failedBusiness: number;
  failedTechnical: number;
  fixedAtSource: number;
  retried: number;
  refusedAtSource: number;
};

export type HopResult = {
  interface: string;
  plantCode: string;
  target: System;
  messageId: string;
  idempotencyKey: string;
  payload: Record<string, unknown>;
  outcome: ReplayOutcome;
};

export type DeliveryDeps = {
  r: Rng;
  log: (line: string) => void;
  stats: DeliveryStats;
  handlerFor: (system: System) => ReplayHandler;
  /** The connector that reports a hop (the target system's at the plant); undefined: not reported. */
  reporterFor: (plantCode: string, system: System) => Reporter | undefined;
  /** Schedules a retry or a resend; a no-op after stop(). */
  later: (ms: number, fn: () => void) => void;
  retryDelayMs: (attempt: number) => number;
  fixDelayMs: () => number;
  deliveryTimeoutMs: number;
  /** Every delivery attempt's result (tests). */
  onResult?: (result: HopResult) => void;
};

const warned = new Set<string>();

export async function runMessage(deps: DeliveryDeps, plant: PlantContext, message: PlannedMessage): Promise<HopResult[]> {
  const traffic = TRAFFIC.find((t) => t.code === message.interface);
  if (!traffic || !plant.interfaces.includes(message.interface)) return [];
  // A message counts once one of its hops is reported to Andon (a hop only to a system the catalog
  // does not monitor, or without a reporting connector, sends nothing to count against).
  let counted = false;
  const messageId = `${message.interface.slice(0, 4)}-${plant.code}-${randomUUID().slice(0, 13)}`;
  const correlationId = randomUUID();
  const results: HopResult[] = [];
  // The catalog's hops, reported to Andon; a system of the plant that gets the message but is not
  // (yet) a target in the catalog still receives it — its hop is simply not monitored.
  const unmonitored = (Object.keys(message.hops) as System[]).filter((t) => !traffic.targets.includes(t));
  for (const target of [...traffic.targets, ...unmonitored]) {
    if (!runs(plant, target)) continue;
    const monitored = traffic.targets.includes(target);
    const spec = message.hops[target];
    if (!spec) {
      const note = `${message.interface}→${target}`;
      if (!warned.has(note)) deps.log(`no ${target} form for ${message.interface}: that hop is not simulated`);
      warned.add(note);
      continue;
    }
    const reporter = monitored ? (deps.reporterFor(plant.code, target) ?? deps.reporterFor(plant.code, traffic.source)) : undefined;
    const count = (field: "delivered" | "failedBusiness" | "failedTechnical" | "retried" | "fixedAtSource") => {
      if (monitored) deps.stats[field]++;
    };
    const hop = { source: traffic.source, target };
    const report = (
      outcome: "received" | "delivered" | "failed" | "retrying",
      attempt: number,
      latency: number,
      failure?: Failure,
      payload?: Record<string, unknown>,
    ) =>
      reporter
        ?.send({
          eventId: randomUUID(),
          correlationId,
          messageId,
          interface: message.interface,
          hop,
          businessKey: message.businessKey,
          ...(message.refs && Object.keys(message.refs).length > 0 ? { refs: message.refs } : {}),
          occurredAt: new Date().toISOString(),
          outcome,
          latencyMs: latency,
          attempt,
          ...(failure ? { error: failure } : {}),
          ...(payload ? { payload } : {}),
        })
        .catch((err: unknown) => deps.log(`journal refused an event: ${(err as Error).message}`));

    if (reporter && !counted) {
      counted = true;
      deps.stats.messages++;
    }
    await report("received", 1, int(deps.r, 5, 60), undefined, spec.payload);
    const key = `${messageId}:${target}`;
    const deliver = async (attempt: number, payload: Record<string, unknown>, idempotencyKey: string): Promise<HopResult> => {
      const started = Date.now();
      await spec.before?.(idempotencyKey);
      const outcome = await runReplayHandler(
        deps.handlerFor(target),
        { replayId: messageId, idempotencyKey, plantCode: plant.code, interface: message.interface, messageId, correlationId, payload, attempt },
        { timeoutMs: deps.deliveryTimeoutMs },
      );
      const latency = Date.now() - started + latencyMs(deps.r, traffic.sloMs);
      const result: HopResult = { interface: message.interface, plantCode: plant.code, target, messageId, idempotencyKey, payload, outcome };
      deps.onResult?.(result);
      if (outcome.status === "delivered") {
        count("delivered");
        await report("delivered", attempt, latency);
        await Promise.resolve(spec.onDelivered?.(outcome.response)).catch((err: unknown) => deps.log(`after delivery: ${(err as Error).message}`));
        return result;
      }
      const failure: Failure = {
        category: outcome.category,
        code: outcome.code.slice(0, 100),
        message: (outcome.message || outcome.code).slice(0, 4000),
        ...(outcome.details ? { details: outcome.details } : {}),
      };
      await report("failed", attempt, latency, failure, payload);
      if (failure.category === "technical") {
        count("failedTechnical");
        // The connector retries technical failures itself, with backoff and the same key.
        if (attempt < 4) {
          deps.later(deps.retryDelayMs(attempt), () => {
            count("retried");
            void Promise.resolve(report("retrying", attempt + 1, 0))
              .then(() => deliver(attempt + 1, payload, idempotencyKey))
              .catch((err: unknown) => deps.log(`retry failed in the simulator itself: ${(err as Error).message}`));
          });
        }
      } else {
        count("failedBusiness");
        // Some causes get fixed in the source system and the message is resent (Andon then resolves
        // the exception "recovered at source"); the rest wait for support in Andon.
        const fixed = attempt === 1 ? fixOf(spec, payload, failure) : undefined;
        if (fixed && deps.r() < (spec.fixChance ?? 0.3)) {
          deps.later(deps.fixDelayMs(), () => {
            count("fixedAtSource");
            void deliver(attempt + 1, fixed, `${key}:fix`).catch((err: unknown) =>
              deps.log(`resend failed in the simulator itself: ${(err as Error).message}`),
            );
          });
        }
      }
      return result;
    };
    results.push(await deliver(1, spec.payload, key));
  }
  return results;
}

function fixOf(spec: HopSpec, payload: Record<string, unknown>, failure: Failure): Record<string, unknown> | undefined {
  try {
    return spec.fix?.(payload, failure);
  } catch {
    return undefined;
  }
}
