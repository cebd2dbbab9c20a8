import type { Criticality } from "../db/generated/enums";
import { db } from "../db";

/** Interface facts the hot path needs, cached briefly (the catalog changes rarely, by admins). */
export type InterfaceInfo = { id: string; code: string; criticality: Criticality; plants: Map<string, { enabled: boolean }> };

const TTL_MS = 30_000;
let cached: { at: number; byCode: Map<string, InterfaceInfo> } | undefined;

export async function interfaceCatalog(): Promise<Map<string, InterfaceInfo>> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.byCode;
  const rows = await db().interface.findMany({ select: { id: true, code: true, criticality: true, plants: { select: { plantId: true, enabled: true } } } });
  const byCode = new Map(
    rows.map((r) => [
      r.code,
      { id: r.id, code: r.code, criticality: r.criticality, plants: new Map(r.plants.map((p) => [p.plantId, { enabled: p.enabled }])) },
    ]),
  );
  cached = { at: Date.now(), byCode };
  return byCode;
}

/** After an administrator changes interfaces: this instance reloads at once (others within TTL_MS). */
export function invalidateInterfaceCatalog(): void {
  cached = undefined;
}
