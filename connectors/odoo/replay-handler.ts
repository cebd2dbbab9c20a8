import type { ReplayHandler } from "../sdk/replay";
import type { OdooClient } from "./client";
import { odooInterfaceHandler } from "./interface-handler";

export type { OdooInterfaceHandlerOptions } from "./interface-handler";
export { DEFAULT_MODEL_BY_INTERFACE, ODOO_UOM_BY_CODE, OdooMappingError, odooInterfaceHandler } from "./interface-handler";

/**
 * The Odoo connector's replay handler. Interfaces with a neutral JSON form (BOM_RELEASE,
 * QUALITY_HOLD, SUPPLIER_ASN, FORECAST_IMPORT, MAINT_WORK_ORDER in the CMMS form) are mapped to
 * their Odoo models (interface-handler.ts); the others are created as given in the model
 * `modelByInterface` names (PRODORD_RELEASE → mrp.production, …). Every write carries the replay's
 * idempotency key in the call context (applied at most once). Odoo's business exceptions are
 * business refusals; AccessDenied, transport trouble and 5xx are technical (retried by Andon).
 */
export function odooReplayHandler(client: OdooClient, modelByInterface: Record<string, string> = {}): ReplayHandler {
  return odooInterfaceHandler(client, { modelByInterface });
}
