import loipro from "./fixtures/sap-loipro01-production-order.json" with { type: "json" };
import { prodordReleaseFromLoipro01 } from "./release";
import type { ProdordConfirm, ProdordRelease } from "./schema";

/**
 * Realistic payloads, with the values of the shared LOIPRO01 sample (order 1004711: 250 PC of
 * FG-2200-A in plant 1000, operations 0010 WC-CUT-01 and 0020 WC-WELD-02, components RM-4711 and
 * RM-0815). The BOM revision A is the one the PLM emulator seeds as effective.
 */

/** The PRODORD_RELEASE payload the MES emulator accepts (from the shared LOIPRO01 sample). */
export const PRODORD_RELEASE_SAMPLE: ProdordRelease = prodordReleaseFromLoipro01(loipro, { bomRevision: "A" });

/** A PRODORD_CONFIRM payload as the MES emits it for operation 0010 of that order. */
export const PRODORD_CONFIRM_SAMPLE: ProdordConfirm = {
  OrderID: "1004711",
  OrderOperation: "0010",
  Sequence: "0",
  Material: "FG-2200-A",
  Plant: "1000",
  WorkCenter: "WC-CUT-01",
  ConfirmationYieldQuantity: "120",
  ConfirmationScrapQuantity: "3",
  ConfirmationUnit: "PC",
  PostingDate: "2026-11-24",
  FinalConfirmationType: "",
  ConfirmedExecutionStartDate: "2026-11-24",
  ConfirmedExecutionStartTime: "06:00:00",
  ConfirmedExecutionEndDate: "2026-11-24",
  ConfirmedExecutionEndTime: "09:30:00",
  ConfirmationText: "MES MESCONF-0000001",
  BOMRevision: "A",
};
