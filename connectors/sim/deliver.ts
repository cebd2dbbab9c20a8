import type { OdooClient } from "../odoo/client";
import { categoryOf } from "../odoo/errors";
import { classifyStatusRecord, type SapInboundResponse } from "../sap";
import { type InterfaceTraffic, type Rng, int, pick, weighted, SAP_PLANT } from "./traffic";

/**
 * Delivering one business message to its target, the way a connector does: build the real
 * message (IDoc, JSON-RPC call), send it to the target (here: the emulators), and turn the
 * target's answer into Andon's outcome. `fix` gives the corrected message a plant user would
 * resend after fixing the cause at source (undefined: nobody fixes it, it waits in Andon).
 */
export type Failure = { category: "technical" | "business"; code: string; message: string; details?: Record<string, unknown> };
export type Attempt = { ok: true } | { ok: false; failure: Failure };
export type Message = {
  payload: Record<string, unknown>;
  send: (payload: Record<string, unknown>, attempt: number) => Promise<Attempt>;
  fix?: (payload: Record<string, unknown>) => Record<string, unknown>;
};

export type Targets = { sapUrl: string; odoo: OdooClient };

let docnum = 4_800_000 + Math.floor(Math.random() * 100_000);
const nextDocnum = () => String(++docnum).padStart(16, "0");

async function postIdoc(sapUrl: string, idoc: Record<string, unknown>, idempotencyKey: string): Promise<Attempt> {
  let res: Response;
  try {
    res = await fetch(`${sapUrl}/sap/idoc/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
      body: JSON.stringify(idoc),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    return { ok: false, failure: { category: "technical", code: "CONNECTION", message: `SAP inbound not reachable: ${(err as Error).message}` } };
  }
  if (!res.ok)
    return { ok: false, failure: { category: "technical", code: `HTTP-${res.status}`, message: `SAP inbound answered ${res.status} ${res.statusText}` } };
  const answer = (await res.json()) as SapInboundResponse;
  const last = answer.statusRecords.at(-1);
  const failure = last ? classifyStatusRecord(last) : null;
  return failure
    ? { ok: false, failure: { category: failure.category, code: failure.code, message: failure.message, details: failure.details } }
    : { ok: true };
}

function goodsMovement(r: Rng, plant: string, kind: "goods" | "spare"): Record<string, unknown> {
  const werks = SAP_PLANT[plant]!;
  const stock: Record<string, { material: string; batch?: string; order: string }[]> = {
    "1000": [
      { material: "RM-4711", order: "000001004711" },
      { material: "PK-0100", order: "000001004712" },
      { material: "RM-0815", batch: pick(r, ["B2026-118", "B2026-097"]), order: "000001004711" },
    ],
    "2000": [
      { material: "RM-1001", order: "000002001001" },
      { material: "PK-0100", order: "000002001001" },
    ],
    "4000": [
      { material: "RM-7020", batch: "B2026-201", order: "000004000501" },
      { material: "PK-0100", order: "000004000501" },
      { material: "RM-0815", batch: "B2026-205", order: "000004000501" },
    ],
  };
  const line = pick(r, stock[werks]!);
  const roll = r();
  let item: Record<string, string>;
  if (kind === "spare") {
    item =
      werks === "1000"
        ? { MATERIAL: "PK-0100", PLANT: werks, STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: String(int(r, 1, 12)), ENTRY_UOM: "PC", ORDERID: "000004100017" }
        : { MATERIAL: "PK-0100", PLANT: werks, STGE_LOC: "0001", MOVE_TYPE: "201", ENTRY_QNT: String(int(r, 1, 12)), ENTRY_UOM: "PC", COSTCENTER: "4100" };
  } else if (roll < 0.4) {
    item = {
      MATERIAL: line.material,
      PLANT: werks,
      STGE_LOC: "0001",
      MOVE_TYPE: "501",
      ENTRY_QNT: String(int(r, 40, 300)),
      ...(line.batch ? { BATCH: line.batch } : {}),
    };
  } else if (roll < 0.93) {
    const big = r() < 0.12; // the occasional large issue runs into a stock deficit
    item = {
      MATERIAL: line.material,
      PLANT: werks,
      STGE_LOC: "0001",
      MOVE_TYPE: "261",
      ENTRY_QNT: String(big ? int(r, 400, 1500) : int(r, 5, 60)),
      ORDERID: line.order,
      ...(line.batch ? { BATCH: line.batch } : {}),
    };
  } else if (roll < 0.97 && line.batch) {
    item = { MATERIAL: line.material, PLANT: werks, STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: String(int(r, 1, 20)), ORDERID: line.order }; // batch forgotten
  } else {
    const foreign = werks === "2000" ? "RM-4711" : "RM-1001"; // material not maintained in this plant
    item = { MATERIAL: foreign, PLANT: werks, STGE_LOC: "0001", MOVE_TYPE: "201", ENTRY_QNT: String(int(r, 1, 20)), COSTCENTER: "4100" };
  }
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  return {
    idocType: "MBGMCR03",
    control: { DOCNUM: nextDocnum(), MESTYP: "MBGMCR", SNDPRN: `ODOO_${plant.replace("-", "")}`, RCVPRN: `ERPCLNT100` },
    E1BP2017_GM_HEAD_01: { PSTNG_DATE: today, DOC_DATE: today, REF_DOC_NO: `WH/OUT/${int(r, 10000, 99999)}`, HEADER_TXT: "Andon plant simulator" },
    E1BP2017_GM_CODE: { GM_CODE: item.MOVE_TYPE === "501" ? "05" : "03" },
    E1BP2017_GM_ITEM_CREATE: [item],
  };
}

function fixGoodsMovement(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  const item = (payload.E1BP2017_GM_ITEM_CREATE as Record<string, string>[])[0]!;
  if (item.MOVE_TYPE === "261" && !item.BATCH && (item.MATERIAL === "RM-0815" || item.MATERIAL === "RM-7020")) return undefined; // needs a batch decision: left for support
  if (item.MOVE_TYPE !== "261" && item.MOVE_TYPE !== "201") return undefined;
  // The planner corrects the quantity to what is really there, and the message is resent.
  const corrected = { ...item, ENTRY_QNT: String(Math.max(1, Math.floor(Number(item.ENTRY_QNT) / 20))) };
  return { ...payload, control: { ...(payload.control as object), DOCNUM: nextDocnum() }, E1BP2017_GM_ITEM_CREATE: [corrected] };
}

async function odooCall(odoo: OdooClient, model: string, values: Record<string, unknown>, idempotencyKey: string): Promise<Attempt> {
  try {
    await odoo.create(model, values, { idempotencyKey });
    return { ok: true };
  } catch (err) {
    const e = err as Error & { data?: { name?: string } };
    const name = e.name && e.name !== "Error" ? e.name : "odoo.error";
    return { ok: false, failure: { category: categoryOf(err), code: name, message: e.message } };
  }
}

export function buildMessage(r: Rng, traffic: InterfaceTraffic, plant: string, targets: Targets, key: string): Message {
  switch (traffic.delivery) {
    case "sap-goods-movement":
    case "sap-spare-parts": {
      const payload = goodsMovement(r, plant, traffic.delivery === "sap-spare-parts" ? "spare" : "goods");
      return { payload, send: (p, attempt) => postIdoc(targets.sapUrl, p, `${key}-${attempt}`), fix: (p) => fixGoodsMovement(p) ?? p };
    }
    case "odoo-production-order": {
      const roll = r();
      const payload = {
        product_id: roll < 0.02 ? 99_999 : 4211,
        product_qty: roll > 0.96 ? 0 : int(r, 10, 400),
        product_uom_id: 1,
        bom_id: 88,
        origin: `SAP 00000${int(r, 1004700, 1004999)}`,
        date_start: new Date(Date.now() + 86_400_000).toISOString().slice(0, 19).replace("T", " "),
      };
      return {
        payload,
        send: (p, attempt) => odooCall(targets.odoo, "mrp.production", p, `${key}-${attempt}`),
        fix: (p) => ({ ...p, product_qty: Number(p.product_qty) > 0 ? p.product_qty : 50, product_id: 4211 }),
      };
    }
    case "odoo-product": {
      const code = `RM-${int(r, 10000, 99999)}`;
      const payload = { name: `Material ${code}`, default_code: code, uom_id: r() < 0.03 ? 987 : 1, type: "product" };
      return { payload, send: (p, attempt) => odooCall(targets.odoo, "product.product", p, `${key}-${attempt}`), fix: (p) => ({ ...p, uom_id: 1 }) };
    }
    case "odoo-maintenance": {
      const payload = {
        name: pick(r, ["Spindle vibration above limit", "Coolant leak at station 3", "Hydraulic pressure drop", "Door interlock fault"]),
        equipment_id: r() < 0.03 ? 9_999 : pick(r, [12, 13]),
        maintenance_type: pick(r, ["corrective", "preventive"]),
        priority: pick(r, ["0", "1", "2", "3"]),
      };
      return { payload, send: (p, attempt) => odooCall(targets.odoo, "maintenance.request", p, `${key}-${attempt}`), fix: (p) => ({ ...p, equipment_id: 12 }) };
    }
    case "catalog": {
      const payload = { interface: traffic.code, reference: `${traffic.code}-${int(r, 100000, 999999)}`, plant };
      const fails = r() < traffic.failureRate;
      const failure = fails ? weighted(r, traffic.failures) : undefined;
      const text = failure?.message(r);
      return {
        payload,
        send: async (_p, attempt) => {
          // Technical causes are transient: the retry goes through; business ones fail again until fixed.
          if (!failure || (failure.category === "technical" && attempt > 1) || _p.fixed) return { ok: true };
          return { ok: false, failure: { category: failure.category, code: failure.code, message: text! } };
        },
        fix: (p) => ({ ...p, fixed: true }),
      };
    }
  }
}
