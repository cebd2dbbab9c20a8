/**
 * The business fields an approver must see to judge a payload (material, plant, batch, quantity,
 * order…), per interface, read from the payload itself: beside a diff, they say *what* is being
 * posted, so a corrected batch that belongs to another material is visible before it is approved.
 * Paths follow the interfaces' JSON Schemas (./payload-schemas.ts); `*` stands for each array item.
 */
type FieldSpec = {
  label: string;
  /** JSON Pointer; `*` matches every index of an array. */
  path: string;
  /** A sibling field holding the unit ("PC"), written after the value. */
  unit?: string;
  /** Shown even when absent ("—"): its absence matters too (a batch-managed material without a batch). */
  always?: boolean;
};

const ITEM = "/E1BP2017_GM_ITEM_CREATE/*";
const goodsMovement: FieldSpec[] = [
  { label: "Material", path: `${ITEM}/MATERIAL`, always: true },
  { label: "Plant", path: `${ITEM}/PLANT`, always: true },
  { label: "Storage location", path: `${ITEM}/STGE_LOC` },
  { label: "Batch", path: `${ITEM}/BATCH`, always: true },
  { label: "Quantity", path: `${ITEM}/ENTRY_QNT`, unit: "ENTRY_UOM", always: true },
  { label: "Movement type", path: `${ITEM}/MOVE_TYPE` },
  { label: "Order", path: `${ITEM}/ORDERID` },
  { label: "Posting date", path: "/E1BP2017_GM_HEAD_01/PSTNG_DATE" },
  { label: "IDoc number", path: "/control/DOCNUM" },
];

export const KEY_FIELDS: Record<string, FieldSpec[]> = {
  GOODS_MOVEMENT: goodsMovement,
  SPARE_PARTS_USAGE: goodsMovement,
  PRODORD_RELEASE: [
    { label: "Product", path: "/product_id", always: true },
    { label: "Quantity", path: "/product_qty", always: true },
    { label: "Unit of measure", path: "/product_uom_id" },
    { label: "Bill of materials", path: "/bom_id" },
    { label: "Order (origin)", path: "/origin", always: true },
    { label: "Start", path: "/date_start" },
  ],
  QUALITY_HOLD: [
    { label: "Lot", path: "/lot", always: true },
    { label: "Material", path: "/material", always: true },
    { label: "Action", path: "/action", always: true },
    { label: "Plant", path: "/plant" },
  ],
  MATERIAL_MASTER: [
    { label: "Material", path: "/default_code", always: true },
    { label: "Name", path: "/name" },
    { label: "Unit of measure", path: "/uom_id", always: true },
    { label: "Type", path: "/type" },
  ],
  MAINT_WORK_ORDER: [
    { label: "Equipment", path: "/equipment_id", always: true },
    { label: "Request", path: "/name" },
    { label: "Type", path: "/maintenance_type" },
    { label: "Priority", path: "/priority" },
  ],
};

/** Other interfaces: top-level fields whose names say they matter, else the first few plain ones. */
const LIKELY_KEY = /material|plant|batch|lot|qty|quantity|order|product|reference|equipment|supplier|invoice|amount|uom|unit/i;
const MAX_GENERIC = 8;

export type KeyField = {
  label: string;
  /** The concrete JSON Pointer. */
  path: string;
  before: string | null;
  after: string | null;
  changed: boolean;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function at(doc: unknown, tokens: string[]): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

const unescapeToken = (t: string) => t.replace(/~1/g, "/").replace(/~0/g, "~");

/** Every concrete pointer a spec path matches in any of the documents (array items by index). */
function expand(path: string, docs: unknown[]): string[][] {
  let prefixes: string[][] = [[]];
  for (const raw of path.split("/").slice(1)) {
    if (raw !== "*") {
      prefixes = prefixes.map((p) => [...p, unescapeToken(raw)]);
      continue;
    }
    const next: string[][] = [];
    for (const p of prefixes) {
      const length = Math.max(0, ...docs.map((d) => (Array.isArray(at(d, p)) ? (at(d, p) as unknown[]).length : 0)));
      for (let i = 0; i < length; i++) next.push([...p, String(i)]);
    }
    prefixes = next;
  }
  return prefixes;
}

function text(v: unknown, unit: unknown): string | null {
  if (v === undefined || v === null || v === "") return null;
  const s = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
  return typeof unit === "string" && unit ? `${s} ${unit}` : s;
}

function fromSpecs(specs: FieldSpec[], before: unknown, after: unknown): KeyField[] {
  const out: KeyField[] = [];
  for (const spec of specs) {
    const pointers = expand(spec.path, [before, after]);
    const items = pointers.length;
    for (const tokens of pointers) {
      const unitTokens = spec.unit ? [...tokens.slice(0, -1), spec.unit] : null;
      const b = text(at(before, tokens), unitTokens && at(before, unitTokens));
      const a = text(at(after, tokens), unitTokens && at(after, unitTokens));
      if (b === null && a === null && !spec.always) continue;
      const index = spec.path.includes("*") && items > 1 ? /\/(\d+)\//.exec(`/${tokens.join("/")}/`)?.[1] : undefined;
      out.push({
        label: index !== undefined ? `${spec.label} (item ${Number(index) + 1})` : spec.label,
        path: `/${tokens.join("/")}`,
        before: b,
        after: a,
        changed: b !== a,
      });
    }
  }
  return out;
}

function generic(before: unknown, after: unknown): KeyField[] {
  const keys = [...new Set([...(isObject(before) ? Object.keys(before) : []), ...(isObject(after) ? Object.keys(after) : [])])];
  const plain = keys.filter((k) => [at(before, [k]), at(after, [k])].some((v) => v !== undefined && (v === null || typeof v !== "object")));
  const likely = plain.filter((k) => LIKELY_KEY.test(k));
  const chosen = (likely.length ? likely : plain).slice(0, MAX_GENERIC);
  return fromSpecs(
    chosen.map((k) => ({ label: k.replace(/[_-]+/g, " ").replace(/^./, (c) => c.toUpperCase()), path: `/${k.replace(/~/g, "~0").replace(/\//g, "~1")}` })),
    before,
    after,
  );
}

/**
 * The key business fields of an interface's payload, before and after a correction (pass the same
 * payload twice, or omit `after`, for one payload). Changed fields are marked.
 */
export function keyFields(interfaceCode: string, before: unknown, after: unknown = before): KeyField[] {
  const specs = KEY_FIELDS[interfaceCode];
  return specs ? fromSpecs(specs, before, after) : generic(before, after);
}
