import { notPosted, type ApplicationContext, type ApplicationMessage, type ApplicationResult } from "./application";
import { normalizeMaterial, normalizeOrder, type ErpState, type Order, type OrderComponent } from "./erp-state";
import type { Loipro01 } from "./idoc-schema";
import { sapMessage } from "./messages";
import { alphaOut, parseQuantity } from "./sap-format";

/**
 * LOIPRO01 inbound. In SAP ERP, LOIPRO is an outbound message (production order to MES); there is
 * no standard inbound function. The emulator accepts it as "create or update the order" with the
 * master-data checks of order creation (CO01): the plant exists and the header material and every
 * component are maintained in it.
 */

/** System status numbers of order status segments (E1JSTKL-STAT, table TJ02). */
const SYSTEM_STATUS: Readonly<Record<string, string>> = {
  I0001: "CRTD",
  I0002: "REL",
  I0009: "CNF",
  I0010: "PCNF",
  I0012: "DLV",
  I0045: "TECO",
  I0046: "CLSD",
  I0076: "DLFL",
};

function checkMaterialInPlant(erp: ErpState, matnr: string, plant: string, path: string): ApplicationMessage | undefined {
  const material = erp.materials.get(matnr);
  if (!material) return { message: sapMessage("materialUnknown", matnr), segmentPath: path, field: "MATNR" };
  if (!material.plants.has(plant)) return { message: sapMessage("notMaintainedInPlant", matnr, plant), segmentPath: path, field: "MATNR" };
  return undefined;
}

export function saveProductionOrder(ctx: ApplicationContext, idoc: Loipro01): ApplicationResult {
  const { erp } = ctx;
  const header = idoc.E1AFKOL;
  const plantCode = header.WERKS;
  const plant = erp.plants.get(plantCode);
  if (!plant) return notPosted([{ message: sapMessage("plantUnknown", plantCode), segmentPath: "E1AFKOL", field: "WERKS" }]);

  const errors: ApplicationMessage[] = [];
  const headerMaterial = normalizeMaterial(header.MATNR);
  const headerError = checkMaterialInPlant(erp, headerMaterial, plantCode, "E1AFKOL");
  if (headerError) errors.push(headerError);

  const components: OrderComponent[] = [];
  (header.E1RESBL ?? []).forEach((reservation, index) => {
    const path = `E1AFKOL.E1RESBL[${index}]`;
    const componentPlant = reservation.WERKS?.trim() || plantCode;
    const material = normalizeMaterial(reservation.MATNR);
    const error = checkMaterialInPlant(erp, material, componentPlant, path);
    const storageLocation = reservation.LGORT?.trim() ?? "";
    if (error) errors.push(error);
    else if (storageLocation && !erp.plants.get(componentPlant)?.storageLocations.has(storageLocation)) {
      errors.push({ message: sapMessage("storageLocationUnknown", storageLocation, componentPlant), segmentPath: path, field: "LGORT" });
    } else {
      const batch = reservation.CHARG?.trim() ?? "";
      components.push({ material, quantity: parseQuantity(reservation.BDMNG), unit: reservation.MEINS, storageLocation, batch });
    }
  });
  if (errors.length > 0) return notPosted(errors);

  const aufnr = normalizeOrder(header.AUFNR);
  const existing = erp.orders.get(aufnr);
  const activeStatus = (header.E1JSTKL ?? []).filter((s) => s.INACT !== "X").flatMap((s) => SYSTEM_STATUS[s.STAT] ?? []);
  const order: Order = {
    aufnr,
    orderType: header.AUART || existing?.orderType || "PP01",
    category: existing?.category ?? "PP",
    plant: plantCode,
    material: headerMaterial,
    quantity: parseQuantity(header.GAMNG),
    unit: header.GMEIN,
    basicStart: header.GSTRP ?? existing?.basicStart ?? "",
    basicFinish: header.GLTRP ?? existing?.basicFinish ?? "",
    // LOIPRO is sent on release: without status segments the order is released.
    systemStatus: activeStatus.length > 0 ? activeStatus : (existing?.systemStatus ?? ["REL"]),
    // An operation keeps its confirmation number (AFVC-RUECK) and what was confirmed on it.
    operations: (header.E1AFFLL ?? []).flatMap((sequence) =>
      (sequence.E1AFVOL ?? []).map((operation) => {
        const previous = existing?.operations.find((op) => op.vornr === operation.VORNR);
        return {
          confirmationGroup: previous?.confirmationGroup ?? erp.nextConfirmationGroup(),
          confirmedYield: previous?.confirmedYield ?? 0,
          confirmedScrap: previous?.confirmedScrap ?? 0,
          ...(previous?.status && { status: previous.status }),
          vornr: operation.VORNR,
          workCenter: operation.ARBPL ?? "",
          text: operation.LTXA1 ?? "",
        };
      }),
    ),
    components,
    bomRevision: existing?.bomRevision,
    bomValidFrom: existing?.bomValidFrom,
    overdeliveryTolerancePercent: existing?.overdeliveryTolerancePercent,
    unlimitedOverdelivery: existing?.unlimitedOverdelivery,
  };
  erp.orders.set(aufnr, order);
  return {
    status: "53",
    messages: [{ message: sapMessage("productionOrderSaved", alphaOut(aufnr)) }],
    applicationObject: { objectType: "BUS2005", key: aufnr },
  };
}
