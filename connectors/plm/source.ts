import { createPlmClient, type PlmRequestOptions } from "./client";
import { type AffectedBom, type BomRelease, bomReleaseSchema } from "./schema";

/**
 * The PLM as the SOURCE of BOM_RELEASE. The simulator makes the PLM release a BOM revision through
 * an engineering change order (create → approve → release, each write with an idempotency key
 * derived from the ECO, so a repeated call changes nothing); a connector reads the released
 * revisions from the PLM's release feed with `pollBomReleases`. Both answer BOM_RELEASE payloads
 * as the PLM publishes them.
 */

export interface ReleaseRevisionRequest extends AffectedBom {
  /** The ECO's number (e.g. ECO-000200); the PLM assigns one when absent (then not idempotent). */
  ecoNumber?: string;
  title?: string;
  approver?: string;
}

/** Creates, approves and releases an ECO for one BOM revision; answers the released BOM_RELEASE. */
export async function releaseBomRevision(plmUrl: string, request: ReleaseRevisionRequest, options: { signal?: AbortSignal } = {}): Promise<BomRelease> {
  const { ecoNumber, title, approver, ...bom } = request;
  const client = createPlmClient(plmUrl);
  const keyed = (step: string): PlmRequestOptions => ({ signal: options.signal, ...(ecoNumber ? { idempotencyKey: `${ecoNumber}:${step}` } : {}) });
  const eco = await client.createEco(
    { ...(ecoNumber ? { number: ecoNumber } : {}), title: title ?? `${bom.material} revision ${bom.revision}`, affectedBoms: [bom] },
    keyed("create"),
  );
  if (eco.state === "DRAFT") await client.approveEco(eco.number, approver, keyed("approve"));
  const released = await releaseEco(plmUrl, eco.number, { signal: options.signal, idempotencyKey: ecoNumber ? `${ecoNumber}:release` : undefined });
  const payload = released.find((p) => p.material === bom.material && p.revision === bom.revision);
  if (!payload) throw new Error(`${eco.number} released no revision ${bom.material}/${bom.revision}`);
  return payload;
}

/** Releases an approved ECO (e.g. the seeded ECO-000103 after approval); answers its BOM_RELEASE payloads. */
export async function releaseEco(plmUrl: string, ecoNumber: string, options: PlmRequestOptions = {}): Promise<BomRelease[]> {
  const result = await createPlmClient(plmUrl).releaseEco(ecoNumber, {
    signal: options.signal,
    idempotencyKey: options.idempotencyKey ?? `${ecoNumber}:release`,
  });
  return result.bomReleases.map((payload) => bomReleaseSchema.parse(payload));
}

/** The BOM_RELEASE payload of a released revision as the PLM shows it now. */
export async function readBomRelease(plmUrl: string, material: string, revision: string, options: { signal?: AbortSignal } = {}): Promise<BomRelease> {
  const client = createPlmClient(plmUrl);
  const found = await client.revision(material, revision, options);
  if (found.state !== "RELEASED") throw new Error(`BOM revision ${material}/${revision} is not released (${found.state})`);
  const part = await client.part(material, options).catch(() => undefined);
  const payload = {
    ecoNumber: found.ecoNumber,
    material,
    ...(part ? { description: part.description } : {}),
    revision,
    effectiveFrom: found.effectiveFrom,
    ...(found.effectiveTo ? { effectiveTo: found.effectiveTo } : {}),
    baseQuantity: found.baseQuantity,
    unit: part?.unit ?? "PC",
    components: found.components,
    ...(found.supersedes ? { supersedes: found.supersedes } : {}),
    ...(found.releasedAt ? { releasedAt: found.releasedAt } : {}),
  };
  return bomReleaseSchema.parse(payload);
}

/** Released revisions after feed position `after` (0: from the start), in release order. */
export async function pollBomReleases(
  plmUrl: string,
  after = 0,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<{ items: { sequence: number; payload: BomRelease }[]; next: number }> {
  const page = await createPlmClient(plmUrl).bomReleases(after, options);
  return { items: page.items.map((item) => ({ sequence: item.sequence, payload: bomReleaseSchema.parse(item.payload) })), next: page.next };
}
