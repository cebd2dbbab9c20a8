import { z } from "zod";

/**
 * FORECAST_IMPORT: the JSON form of a released forecast version as the ERP's replenishment receives it
 * (planning → ERP). The planning engine produces it when a version is released (`source.ts`).
 *
 * - forecastVersion  the version id in the planning engine, e.g. FV-1000-2026-W50
 * - plant            the ERP plant the forecast is for
 * - releasedAt       when the version was released (ISO 8601 date-time with offset)
 * - buckets[]        weekly buckets: material, periodStart (first day of the 7-day bucket, ISO date),
 *                    quantity (≥ 0, at most 3 decimals) in the ERP unit of measure (unit, e.g. PC, KG),
 *                    already mapped from the planning unit (uom.ts)
 *
 * Buckets of one material must not overlap: two of them must start at least 7 days apart.
 */

export const BUCKET_DAYS = 7;

const DAY_MS = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

export const forecastBucketSchema = z
  .object({
    material: z.string().trim().min(1).max(40),
    periodStart: z.iso.date(),
    quantity: z
      .number()
      .min(0)
      .max(999_999_999)
      .refine((q) => Math.abs(q * 1000 - Math.round(q * 1000)) < 1e-6, "at most 3 decimals"),
    unit: z.string().regex(/^[A-Z0-9]{1,3}$/, "ERP unit of measure code, 1 to 3 upper-case letters or digits (e.g. PC, KG)"),
  })
  .strict();

/** Pairs of buckets (indexes) of the same material that overlap. */
export function overlappingBuckets(buckets: readonly { material: string; periodStart: string }[], days = BUCKET_DAYS): [number, number][] {
  const byMaterial = new Map<string, { index: number; day: number }[]>();
  buckets.forEach((bucket, index) => {
    const list = byMaterial.get(bucket.material) ?? [];
    list.push({ index, day: dayNumber(bucket.periodStart) });
    byMaterial.set(bucket.material, list);
  });
  const pairs: [number, number][] = [];
  for (const list of byMaterial.values()) {
    list.sort((a, b) => a.day - b.day);
    for (let i = 1; i < list.length; i += 1) {
      if (list[i]!.day - list[i - 1]!.day < days) pairs.push([list[i - 1]!.index, list[i]!.index]);
    }
  }
  return pairs;
}

export const forecastImportPayloadSchema = z
  .object({
    forecastVersion: z.string().trim().min(1).max(40),
    plant: z.string().trim().min(1).max(10),
    releasedAt: z.iso.datetime({ offset: true }),
    buckets: z.array(forecastBucketSchema).min(1).max(10_000),
  })
  .strict()
  .superRefine((payload, ctx) => {
    for (const [a, b] of overlappingBuckets(payload.buckets)) {
      const first = payload.buckets[a]!;
      ctx.addIssue({
        code: "custom",
        path: ["buckets", b, "periodStart"],
        message: `overlaps bucket ${a} of material ${first.material} (${first.periodStart}); buckets are ${BUCKET_DAYS} days long`,
      });
    }
  });

export type ForecastImportPayload = z.infer<typeof forecastImportPayloadSchema>;
export type ForecastBucket = z.infer<typeof forecastBucketSchema>;

/** The JSON Schema of FORECAST_IMPORT, the same kind of object as server/corrections/payload-schemas.ts holds. */
export const FORECAST_IMPORT_JSON_SCHEMA: object = {
  ...z.toJSONSchema(forecastImportPayloadSchema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }),
  title: "Forecast import (released forecast version, weekly buckets in ERP units)",
};
