import type { SystemKind } from "@/server/db/generated/enums";

/** The systems' names as people say them (a candidate for lib/labels.ts, where the other labels live). */
export const SYSTEM_LABELS: Record<SystemKind, string> = {
  SAP_ERP: "SAP ERP",
  ODOO: "Odoo",
  MES: "MES",
  QMS: "QMS",
  WMS: "WMS",
  CMMS: "CMMS",
  PLM: "PLM",
  SUPPLIER_PORTAL: "Supplier portal",
  PLANNING: "Planning",
  LIMS: "LIMS",
};
