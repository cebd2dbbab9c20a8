import type { SystemKind } from "../db/generated/enums";

/** The systems a message travels between, as people name them in a sentence (client-safe). */
export const SYSTEM_NAMES: Record<SystemKind, string> = {
  SAP_ERP: "SAP ERP",
  ODOO: "Odoo",
  MES: "the MES",
  QMS: "the QMS",
  WMS: "the WMS",
  CMMS: "the CMMS",
  PLM: "the PLM system",
  SUPPLIER_PORTAL: "the supplier portal",
  PLANNING: "the planning system",
  LIMS: "the LIMS",
};

/** A system's name on its own (a label, the start of a sentence): "SAP ERP", "Supplier portal". */
export function systemName(kind: string): string {
  const name = (SYSTEM_NAMES as Record<string, string>)[kind];
  if (!name) return kind.replace(/_/g, " ");
  const bare = name.replace(/^the /, "");
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}
