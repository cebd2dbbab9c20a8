import { notPosted, type ApplicationContext, type ApplicationMessage, type ApplicationResult } from "./application";
import { normalizeMaterial, type MaterialMaster, type PlantView } from "./erp-state";
import type { Matmas05 } from "./idoc-schema";
import { sapMessage } from "./messages";

/**
 * MATMAS05 inbound (IDOC_INPUT_MATMAS01): creates the material or changes the views the IDoc
 * carries. MSGFN 003 on a segment flags that level for deletion; other message functions
 * (004 change, 005 replace, 009 original, 018 re-send) create or update. Plants and storage
 * locations must exist; a new material needs a base unit of measure.
 */

function englishDescription(idoc: Matmas05): string | undefined {
  const texts = idoc.E1MARAM.E1MAKTM ?? [];
  const english = texts.find((t) => t.SPRAS === "E" || t.SPRAS_ISO === "EN") ?? texts[0];
  return english?.MAKTX;
}

export function saveMaterialMaster(ctx: ApplicationContext, idoc: Matmas05): ApplicationResult {
  const { erp } = ctx;
  const mara = idoc.E1MARAM;
  const matnr = normalizeMaterial(mara.MATNR);
  const existing = erp.materials.get(matnr);
  const errors: ApplicationMessage[] = [];

  if (!existing && mara.MSGFN === "003") return notPosted([{ message: sapMessage("materialUnknown", matnr), segmentPath: "E1MARAM", field: "MATNR" }]);
  const baseUnit = mara.MEINS?.trim() || existing?.baseUnit;
  if (!baseUnit) errors.push({ message: sapMessage("baseUnitMissing", matnr), segmentPath: "E1MARAM", field: "MEINS" });

  (mara.E1MARCM ?? []).forEach((marc, index) => {
    const path = `E1MARAM.E1MARCM[${index}]`;
    const plant = erp.plants.get(marc.WERKS);
    if (!plant) {
      errors.push({ message: sapMessage("plantUnknown", marc.WERKS), segmentPath: path, field: "WERKS" });
      return;
    }
    (marc.E1MARDM ?? []).forEach((mard, mardIndex) => {
      if (!plant.storageLocations.has(mard.LGORT)) {
        const message = sapMessage("storageLocationUnknown", mard.LGORT, marc.WERKS);
        errors.push({ message, segmentPath: `${path}.E1MARDM[${mardIndex}]`, field: "LGORT" });
      }
    });
  });
  if (errors.length > 0 || !baseUnit) return notPosted(errors);

  const material: MaterialMaster = existing ?? {
    matnr,
    description: "",
    materialType: "",
    materialGroup: "",
    baseUnit,
    deletionFlag: false,
    plants: new Map(),
    units: new Map(),
  };
  material.baseUnit = baseUnit;
  material.description = englishDescription(idoc) ?? material.description;
  material.materialType = mara.MTART || material.materialType;
  material.materialGroup = mara.MATKL || material.materialGroup;
  material.deletionFlag = mara.MSGFN === "003" || mara.LVORM === "X";

  for (const marc of mara.E1MARCM ?? []) {
    const previous = material.plants.get(marc.WERKS);
    const view: PlantView = {
      werks: marc.WERKS,
      // Batch management: plant level (MARC-XCHPF), else the client-level flag.
      batchManaged: (marc.XCHPF ?? mara.XCHPF ?? (previous?.batchManaged ? "X" : "")) === "X",
      mrpType: marc.DISMM || previous?.mrpType || "",
      procurementType: marc.BESKZ || previous?.procurementType || "",
      deletionFlag: marc.MSGFN === "003" || marc.LVORM === "X",
    };
    material.plants.set(marc.WERKS, view);
  }

  for (const marm of mara.E1MARMM ?? []) {
    if (marm.MEINH === material.baseUnit) continue;
    if (marm.MSGFN === "003") material.units.delete(marm.MEINH);
    else material.units.set(marm.MEINH, { numerator: Number(marm.UMREZ ?? 1) || 1, denominator: Number(marm.UMREN ?? 1) || 1 });
  }

  erp.materials.set(matnr, material);
  return {
    status: "53",
    messages: [{ message: sapMessage(existing ? "materialChanged" : "materialCreated", matnr) }],
    applicationObject: { objectType: "BUS1001006", key: matnr },
  };
}
