import { systemInSentence } from "../../lib/labels";
import { ediReplayHandler } from "../edi";
import { mesReplayHandler } from "../mes";
import { odooInterfaceHandler } from "../odoo/interface-handler";
import { sapReplayHandler } from "../sap";
import type { ReplayHandler, ReplayJob } from "../sdk/replay";
import { wmsReplayHandler } from "../wms/replay-handler";
import type { Landscape } from "./landscape";
import type { System } from "./traffic";

/**
 * The replay handler of each system's connector. The simulator delivers every hop through the same
 * handler (deliver.ts), so the first delivery and a replay from Andon take the same path into the
 * same emulator:
 *
 * | connector        | handler                                                                                     |
 * | ---------------- | ------------------------------------------------------------------------------------------- |
 * | SAP_ERP          | sapReplayHandler: IDoc inbound / OData per interface                                        |
 * | ODOO             | odooInterfaceHandler: each interface's form → Odoo model calls (JSON-2)                     |
 * | MES              | mesReplayHandler: PRODORD_RELEASE as B2MML ProcessProductionSchedule                        |
 * | WMS              | SUPPLIER_ASN: ediReplayHandler around wmsReplayHandler (the supplier gets its 824 / APERAK) |
 *
 * Each has a dry run (`check`): SAP's TESTRUN, Odoo's rolled-back call, the MES's and WMS's X-Dry-Run (an
 * ASN is first checked as the supplier portal's form would); a system that receives nothing refuses it.
 * | every other one  | a business failure: the system receives no replays (it is only a source in the catalog)     |
 */
export function replayHandlers(l: Landscape, opts: { timeoutMs?: number } = {}): (system: System) => ReplayHandler {
  const timeoutMs = opts.timeoutMs;
  const wms = wmsReplayHandler(l.wms.url, { timeoutMs });
  const asnIntoWms = ediReplayHandler(l.edi.url, { receiving: wms, timeoutMs });
  const wmsOf = (job: ReplayJob) => (job.interface === "SUPPLIER_ASN" ? asnIntoWms : wms);
  const handlers: Partial<Record<System, ReplayHandler>> = {
    SAP_ERP: sapReplayHandler(l.sap.url, { timeoutMs }),
    ODOO: odooInterfaceHandler(l.odooClient),
    MES: mesReplayHandler(l.mes.url, { timeoutMs, sender: "ERPCLNT100" }),
    WMS: { deliver: (job) => wmsOf(job).deliver(job), check: (job) => wmsOf(job).check!(job) },
  };
  const cache = new Map<System, ReplayHandler>();
  return (system) => {
    let handler = handlers[system] ?? cache.get(system);
    if (!handler) {
      handler = receivesNothing(system);
      cache.set(system, handler);
    }
    return handler;
  };
}

/**
 * A connector of a system that is no interface's target: a replay cannot be delivered there, and a dry run
 * says so (the same refusal: it would not post).
 */
export function receivesNothing(system: System): ReplayHandler {
  const label = systemInSentence(system);
  const refuse = async (job: ReplayJob) => ({
    status: "failed" as const,
    category: "business" as const,
    code: "NO_REPLAY_TARGET",
    message: `this system receives no replays: ${label} is only a source in the interface catalog, so ${job.interface} cannot be delivered to it`,
    durationMs: 0,
  });
  return { deliver: refuse, check: refuse };
}
