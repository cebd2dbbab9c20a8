import { z } from "zod";
import { BUCKET_DAYS, forecastImportPayloadSchema, overlappingBuckets, type ForecastImportPayload } from "./schema";
import { PLANNING_UNITS, UomMappingTable } from "./uom";

/**
 * The planning engine's data and rules: forecast versions (DRAFT → RELEASED → SUPERSEDED) of weekly
 * buckets per material in planning units, planned orders derived from the released version, actuals
 * fed back from the ERP (closed loop), and the unit-of-measure mapping to the ERP.
 */

export class PlanningError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export type VersionStatus = "DRAFT" | "RELEASED" | "SUPERSEDED";

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Monday of an ISO 8601 week ("2026-W50" → "2026-12-07"). */
export function isoWeekStart(week: string): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) throw new PlanningError(400, "INVALID_WEEK", `"${week}" is not an ISO week (YYYY-Www)`);
  const year = Number(match[1]);
  const number = Number(match[2]);
  const jan4 = Date.UTC(year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  const start = mondayOfWeek1 + (number - 1) * 7 * DAY_MS;
  const weeksInYear = isoWeekOf(isoDate(Date.UTC(year, 11, 28)));
  if (number < 1 || number > Number(weeksInYear.slice(6))) throw new PlanningError(400, "INVALID_WEEK", `${year} has no week ${number}`);
  return isoDate(start);
}

/** ISO week of a date ("2026-12-07" → "2026-W50"). */
export function isoWeekOf(date: string): string {
  const day = Date.parse(`${date}T00:00:00Z`);
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  const thursday = day - weekday * DAY_MS + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

const materialSchema = z.string().trim().min(1).max(40);
const plantSchema = z.string().trim().min(1).max(10);

export const bucketInputSchema = z
  .object({
    material: materialSchema,
    /** ISO week, e.g. 2026-W50; or periodStart. */
    week: z
      .string()
      .regex(/^\d{4}-W\d{2}$/)
      .optional(),
    periodStart: z.iso.date().optional(),
    quantity: z.number().min(0).max(999_999_999),
    /** Planning unit (PLANNING_UNITS). */
    unit: z.string().min(1).max(3),
  })
  .strict()
  .refine((b) => (b.week === undefined) !== (b.periodStart === undefined), "give either week or periodStart");

export const versionInputSchema = z
  .object({
    versionId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,40}$/)
      .optional(),
    plant: plantSchema,
    description: z.string().max(120).optional(),
    buckets: z.array(bucketInputSchema).min(1).max(10_000),
  })
  .strict();
export type VersionInput = z.input<typeof versionInputSchema>;

export const actualInputSchema = z
  .object({
    plant: plantSchema,
    material: materialSchema,
    week: z
      .string()
      .regex(/^\d{4}-W\d{2}$/)
      .optional(),
    periodStart: z.iso.date().optional(),
    quantity: z.number().min(0).max(999_999_999),
    /** ERP unit (actuals come back from the ERP). */
    unit: z.string().regex(/^[A-Z0-9]{1,3}$/),
  })
  .strict()
  .refine((a) => (a.week === undefined) !== (a.periodStart === undefined), "give either week or periodStart");
export type ActualInput = z.input<typeof actualInputSchema>;

export interface PlanningBucket {
  material: string;
  /** First day of the 7-day bucket. */
  periodStart: string;
  week: string;
  quantity: number;
  /** Planning unit. */
  unit: string;
}

export interface ForecastVersion {
  versionId: string;
  plant: string;
  description?: string;
  status: VersionStatus;
  createdAt: string;
  releasedAt?: string;
  supersededAt?: string;
  supersededBy?: string;
  buckets: PlanningBucket[];
}

export interface PlannedOrder {
  plannedOrder: string;
  versionId: string;
  plant: string;
  material: string;
  /** Forecast minus actuals of the bucket, in the planning unit. */
  quantity: number;
  unit: string;
  /** Finish = bucket start (available for the week), start = finish minus the lead time. */
  startDate: string;
  finishDate: string;
}

export interface Actual {
  plant: string;
  material: string;
  periodStart: string;
  week: string;
  /** In the planning unit (converted from the ERP unit received). */
  quantity: number;
  unit: string;
  erpUnit: string;
  receivedAt: string;
}

export interface PlanningSeed {
  versions: (VersionInput & { release?: boolean })[];
}

export const DEFAULT_SEED: PlanningSeed = {
  versions: [
    {
      versionId: "FV-1000-2026-W49",
      plant: "1000",
      description: "Weekly consensus forecast, cycle 2026-W49",
      release: true,
      buckets: [
        { material: "FG-100", week: "2026-W49", quantity: 400, unit: "EA" },
        { material: "FG-100", week: "2026-W50", quantity: 420, unit: "EA" },
        { material: "FG-200", week: "2026-W49", quantity: 1250.5, unit: "KGM" },
      ],
    },
    {
      versionId: "FV-1000-2026-W50",
      plant: "1000",
      description: "Weekly consensus forecast, cycle 2026-W50",
      buckets: [
        { material: "FG-100", week: "2026-W50", quantity: 450, unit: "EA" },
        { material: "FG-100", week: "2026-W51", quantity: 380, unit: "EA" },
        { material: "FG-100", week: "2026-W52", quantity: 200, unit: "EA" },
        { material: "FG-200", week: "2026-W50", quantity: 1300, unit: "KGM" },
        { material: "FG-200", week: "2026-W51", quantity: 1280, unit: "KGM" },
      ],
    },
  ],
};

export interface PlanningOptions {
  now: () => Date;
  /** Lead time of planned orders in days (start = finish − lead time), default 7. */
  leadTimeDays?: number;
}

export interface ReleaseResult {
  version: ForecastVersion;
  payload: ForecastImportPayload;
  /** The version was released before; nothing changed. */
  alreadyReleased: boolean;
  /** The version this release superseded, if any. */
  superseded?: string;
}

export class PlanningState {
  readonly versions = new Map<string, ForecastVersion>();
  readonly plannedOrders = new Map<string, PlannedOrder>();
  readonly actuals = new Map<string, Actual>();
  readonly uom = new UomMappingTable();
  #nextPlannedOrder = 1;
  #nextVersion = 1;

  constructor(
    private readonly options: PlanningOptions,
    seed: PlanningSeed = DEFAULT_SEED,
  ) {
    for (const { release, ...version } of seed.versions) {
      const created = this.createVersion(version).version;
      if (release) this.release(created.versionId);
    }
  }

  #buckets(plant: string, input: z.output<typeof bucketInputSchema>[]): PlanningBucket[] {
    const buckets = input.map((b) => {
      if (!(b.unit in PLANNING_UNITS)) {
        throw new PlanningError(422, "UOM_UNKNOWN", `Unit of measure "${b.unit}" is not defined in the planning model`, { unit: b.unit, material: b.material });
      }
      const periodStart = b.periodStart ?? isoWeekStart(b.week!);
      return { material: b.material, periodStart, week: isoWeekOf(periodStart), quantity: round3(b.quantity), unit: b.unit };
    });
    this.#checkOverlap(plant, buckets);
    return buckets;
  }

  #checkOverlap(plant: string, buckets: PlanningBucket[]): void {
    const pairs = overlappingBuckets(buckets);
    if (pairs.length > 0) {
      const overlaps = pairs.map(([a, b]) => ({ material: buckets[a]!.material, periodStarts: [buckets[a]!.periodStart, buckets[b]!.periodStart] }));
      const first = overlaps[0]!;
      throw new PlanningError(
        422,
        "BUCKETS_OVERLAP",
        `Buckets overlap for material ${first.material} in plant ${plant}: ${first.periodStarts.join(" and ")} (buckets are ${BUCKET_DAYS} days)`,
        { overlaps },
      );
    }
  }

  createVersion(raw: VersionInput): { version: ForecastVersion; created: boolean } {
    const input = versionInputSchema.parse(raw);
    const buckets = this.#buckets(input.plant, input.buckets);
    const versionId =
      input.versionId ?? `FV-${input.plant}-${isoWeekOf(this.options.now().toISOString().slice(0, 10))}-${String(this.#nextVersion).padStart(2, "0")}`;
    const existing = this.versions.get(versionId);
    if (existing) {
      const same = existing.plant === input.plant && JSON.stringify(existing.buckets) === JSON.stringify(buckets) && existing.description === input.description;
      if (!same) throw new PlanningError(409, "VERSION_EXISTS", `Forecast version ${versionId} exists with other content`);
      return { version: existing, created: false };
    }
    if (!input.versionId) this.#nextVersion += 1;
    const version: ForecastVersion = {
      versionId,
      plant: input.plant,
      ...(input.description ? { description: input.description } : {}),
      status: "DRAFT",
      createdAt: this.options.now().toISOString(),
      buckets,
    };
    this.versions.set(versionId, version);
    return { version, created: true };
  }

  version(versionId: string): ForecastVersion {
    const version = this.versions.get(versionId);
    if (!version) throw new PlanningError(404, "VERSION_NOT_FOUND", `Forecast version ${versionId} does not exist`);
    return version;
  }

  replaceBuckets(versionId: string, raw: unknown): ForecastVersion {
    const version = this.version(versionId);
    const input = z.array(bucketInputSchema).min(1).max(10_000).parse(raw);
    if (version.status !== "DRAFT") this.#notDraft(version);
    version.buckets = this.#buckets(version.plant, input);
    return version;
  }

  #notDraft(version: ForecastVersion): never {
    if (version.status === "SUPERSEDED") {
      throw new PlanningError(
        409,
        "VERSION_SUPERSEDED",
        `Forecast version ${version.versionId} is superseded by ${version.supersededBy} and cannot be changed`,
      );
    }
    throw new PlanningError(409, "VERSION_RELEASED", `Forecast version ${version.versionId} is released and cannot be changed`);
  }

  /** The FORECAST_IMPORT payload of a version in ERP units (refused if a unit is not mapped). */
  payload(version: ForecastVersion): ForecastImportPayload {
    const unmapped = new Map<string, string[]>();
    const buckets = version.buckets.map((b) => {
      const erpUnit = this.uom.toErp(version.plant, b.unit);
      if (!erpUnit) unmapped.set(b.unit, [...new Set([...(unmapped.get(b.unit) ?? []), b.material])]);
      return { material: b.material, periodStart: b.periodStart, quantity: b.quantity, unit: erpUnit ?? b.unit };
    });
    if (unmapped.size > 0) {
      const [unit, materials] = [...unmapped.entries()][0]!;
      throw new PlanningError(
        422,
        "UOM_NOT_MAPPED",
        `Unit of measure "${unit}" not mapped to an ERP unit for plant ${version.plant} (material ${materials.join(", ")}); forecast version ${version.versionId}`,
        { unmapped: [...unmapped.entries()].map(([u, m]) => ({ unit: u, materials: m })) },
      );
    }
    return forecastImportPayloadSchema.parse({ forecastVersion: version.versionId, plant: version.plant, releasedAt: version.releasedAt, buckets });
  }

  /**
   * Releases a draft: units must map, buckets must not overlap; the plant's previously released version
   * becomes SUPERSEDED (its planned orders are deleted) and planned orders are derived from this one.
   * Releasing a released version again changes nothing; a superseded one is refused.
   */
  release(versionId: string): ReleaseResult {
    const version = this.version(versionId);
    if (version.status === "SUPERSEDED") {
      throw new PlanningError(409, "VERSION_SUPERSEDED", `Forecast version ${versionId} is superseded by ${version.supersededBy} and cannot be released`, {
        supersededBy: version.supersededBy,
      });
    }
    if (version.status === "RELEASED") return { version, payload: this.payload(version), alreadyReleased: true };
    this.#checkOverlap(version.plant, version.buckets);
    const releasedAt = this.options.now().toISOString();
    const payload = this.payload({ ...version, releasedAt });
    const previous = [...this.versions.values()].find((v) => v.plant === version.plant && v.status === "RELEASED");
    if (previous) {
      previous.status = "SUPERSEDED";
      previous.supersededAt = releasedAt;
      previous.supersededBy = versionId;
      for (const [id, order] of this.plannedOrders) if (order.versionId === previous.versionId) this.plannedOrders.delete(id);
    }
    version.status = "RELEASED";
    version.releasedAt = releasedAt;
    for (const bucket of version.buckets) this.#plan(version, bucket);
    return { version, payload, alreadyReleased: false, ...(previous ? { superseded: previous.versionId } : {}) };
  }

  /** The payload of a released version (what the ERP imports); draft and superseded versions are refused. */
  export(versionId: string): ForecastImportPayload {
    const version = this.version(versionId);
    if (version.status === "SUPERSEDED") {
      throw new PlanningError(409, "VERSION_SUPERSEDED", `Forecast version ${versionId} is superseded by ${version.supersededBy} and cannot be imported`, {
        supersededBy: version.supersededBy,
      });
    }
    if (version.status === "DRAFT") throw new PlanningError(409, "VERSION_NOT_RELEASED", `Forecast version ${versionId} is a draft; release it first`);
    return this.payload(version);
  }

  #plan(version: ForecastVersion, bucket: PlanningBucket): void {
    const key = `${version.versionId}|${bucket.material}|${bucket.periodStart}`;
    const actual = this.actuals.get(`${version.plant}|${bucket.material}|${bucket.periodStart}`);
    const consumed = actual && actual.unit === bucket.unit ? actual.quantity : 0;
    const quantity = round3(Math.max(0, bucket.quantity - consumed));
    const existing = [...this.plannedOrders.values()].find((o) => `${o.versionId}|${o.material}|${o.finishDate}` === key);
    if (quantity === 0) {
      if (existing) this.plannedOrders.delete(existing.plannedOrder);
      return;
    }
    const finish = Date.parse(`${bucket.periodStart}T00:00:00Z`);
    const order: PlannedOrder = existing ?? {
      plannedOrder: `PLO-${String(this.#nextPlannedOrder++).padStart(6, "0")}`,
      versionId: version.versionId,
      plant: version.plant,
      material: bucket.material,
      quantity,
      unit: bucket.unit,
      startDate: isoDate(finish - (this.options.leadTimeDays ?? 7) * DAY_MS),
      finishDate: bucket.periodStart,
    };
    order.quantity = quantity;
    this.plannedOrders.set(order.plannedOrder, order);
  }

  /**
   * Records the actual (ERP unit → planning unit) of a material in a week. The same plant, material and
   * week again replaces it ("unchanged" if equal); planned orders of the released version follow.
   */
  recordActual(raw: ActualInput): { actual: Actual; status: "created" | "updated" | "unchanged" } {
    const input = actualInputSchema.parse(raw);
    const unit = this.uom.fromErp(input.plant, input.unit);
    if (!unit) {
      throw new PlanningError(422, "UOM_NOT_MAPPED", `ERP unit of measure "${input.unit}" is not mapped to a planning unit for plant ${input.plant}`, {
        unit: input.unit,
      });
    }
    const periodStart = input.periodStart ?? isoWeekStart(input.week!);
    const key = `${input.plant}|${input.material}|${periodStart}`;
    const existing = this.actuals.get(key);
    const quantity = round3(input.quantity);
    if (existing && existing.quantity === quantity && existing.unit === unit) return { actual: existing, status: "unchanged" };
    const actual: Actual = {
      plant: input.plant,
      material: input.material,
      periodStart,
      week: isoWeekOf(periodStart),
      quantity,
      unit,
      erpUnit: input.unit,
      receivedAt: this.options.now().toISOString(),
    };
    this.actuals.set(key, actual);
    const released = [...this.versions.values()].find((v) => v.plant === input.plant && v.status === "RELEASED");
    const bucket = released?.buckets.find((b) => b.material === input.material && b.periodStart === periodStart);
    if (released && bucket) this.#plan(released, bucket);
    return { actual, status: existing ? "updated" : "created" };
  }
}
