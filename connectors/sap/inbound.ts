import { z } from "zod";
import type { ApplicationContext, ApplicationResult } from "./application";
import type { ErpState } from "./erp-state";
import { postGoodsMovement } from "./goods-movement";
import { segmentNumbers, type Idoc } from "./idoc";
import { saveMaterialMaster } from "./material-master";
import { sapMessage } from "./messages";
import { saveProductionOrder } from "./production-order";
import { createStatusRecord, idocStatusRecordSchema, type IdocStatusRecord, type NewStatusRecord } from "./status";
import { toSapDate } from "./sap-format";

/**
 * The receiving side of the IDoc interface: stores the IDoc (50), hands it to the application
 * (64 → 62) and records the application's outcome (53, or one 51 per error message), the way
 * SAP's inbound processing with immediate processing ("trigger immediately") does.
 */

/** The answer of POST /sap/idoc/inbound. */
export const sapInboundResponseSchema = z.object({
  docnum: z.string(),
  idocType: z.string(),
  sender: z.string(),
  /** Current status after this request: 53, 51, 68, or 02 (fault injection). */
  status: z.string(),
  /** The status records written by this request, oldest first. */
  statusRecords: z.array(idocStatusRecordSchema),
  /** Business object linked to the IDoc (BUS2017 material document, BUS2005 order, BUS1001006 material). */
  applicationObject: z.object({ objectType: z.string(), key: z.string() }).optional(),
  materialDocument: z.object({ number: z.string(), year: z.string() }).optional(),
});
export type SapInboundResponse = z.infer<typeof sapInboundResponseSchema>;

/** The user inbound IDocs run under (the standard ALE RFC user). */
const ALE_USER = "ALEREMOTE";

/** The inbound function module per message type (partner profile / WE42 process code). */
function runApplication(ctx: ApplicationContext, idoc: Idoc): ApplicationResult {
  switch (idoc.idocType) {
    case "MBGMCR03":
      return postGoodsMovement(ctx, idoc);
    case "LOIPRO01":
      return saveProductionOrder(ctx, idoc);
    case "MATMAS05":
      return saveMaterialMaster(ctx, idoc);
  }
}

export class IdocInbound {
  /** Status log per IDoc, keyed by sender partner and DOCNUM (what WE02 shows). */
  private readonly log = new Map<string, IdocStatusRecord[]>();

  constructor(
    private readonly erp: () => ErpState,
    private readonly clock: () => Date,
  ) {}

  private static key(sender: string, docnum: string): string {
    return `${sender}/${docnum}`;
  }

  /** All status records of an IDoc, oldest first. */
  statusLog(docnum: string, sender?: string): IdocStatusRecord[] {
    const padded = docnum.padStart(16, "0");
    if (sender !== undefined) return [...(this.log.get(IdocInbound.key(sender, padded)) ?? [])];
    return [...this.log.entries()].filter(([key]) => key.endsWith(`/${padded}`)).flatMap(([, records]) => records);
  }

  clear(): void {
    this.log.clear();
  }

  /**
   * Processes one IDoc. An IDoc (same sender and DOCNUM) that is already posted (53) is not
   * processed again and ends in 68; one that ended in 51 is processed again, as BD87 would.
   */
  process(idoc: Idoc, opts: { testRun?: boolean } = {}): SapInboundResponse {
    const { DOCNUM: docnum, SNDPRN: sender } = idoc.control;
    // A test run: the application checks against a scratch copy of the ERP, and the IDoc is not
    // stored (no status records kept), so the real IDoc with this DOCNUM is still processed later.
    const testRun = opts.testRun === true;
    const key = IdocInbound.key(sender, docnum);
    const history = this.log.get(key) ?? [];
    const at = this.clock();
    const written: IdocStatusRecord[] = [];
    const write = (record: Omit<NewStatusRecord, "docnum" | "counter" | "at" | "uname">) => {
      written.push(createStatusRecord({ ...record, docnum, counter: history.length + written.length + 1, at, uname: ALE_USER }));
    };
    const finish = (extra: Pick<SapInboundResponse, "applicationObject" | "materialDocument"> = {}): SapInboundResponse => {
      if (!testRun) this.log.set(key, [...history, ...written]);
      const last = written.at(-1);
      return { docnum, idocType: idoc.idocType, sender, status: last?.STATUS ?? "", statusRecords: written, ...extra };
    };

    write({ status: "50" });
    if (history.some((record) => record.STATUS === "53")) {
      write({ status: "68", message: sapMessage("duplicateIdoc", docnum, sender) });
      return finish();
    }
    write({ status: "64" });
    write({ status: "62" });

    const checked: Idoc = testRun && idoc.idocType === "MBGMCR03" ? ({ ...idoc, E1MBGMCR: { ...(idoc.E1MBGMCR ?? {}), TESTRUN: "X" } } as Idoc) : idoc;
    const result = runApplication({ erp: testRun ? this.erp().clone() : this.erp(), today: toSapDate(at), docnum }, checked);
    const segments = segmentNumbers(idoc);
    for (const entry of result.messages) {
      write({
        status: result.status,
        message: entry.message,
        segnum: entry.segmentPath ? segments.get(entry.segmentPath) : undefined,
        segfld: entry.field,
      });
    }
    if (result.status === "53") return finish({ applicationObject: result.applicationObject, materialDocument: result.materialDocument });
    return finish();
  }
}
