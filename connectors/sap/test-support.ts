import { readFileSync } from "node:fs";
import path from "node:path";
import { toIdocXml, parseIdoc, type Idoc, type Loipro01, type Mbgmcr03 } from "./idoc";
import { sapInboundResponseSchema, type SapInboundResponse } from "./inbound";

/** Helpers for tests of anything that talks to SAP: contract, integration, e2e, benchmarks (not a test file itself). */

/** Verbatim copies of the shared domain samples (shared/domain/samples), so the tests run anywhere. */
const SAMPLES = path.join(import.meta.dirname, "fixtures");

export function readSample(name: "sap-loipro01-production-order.json" | "sap-mbgmcr-goods-movement.json"): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SAMPLES, name), "utf8")) as Record<string, unknown>;
}

export function goodsMovementSample(): Mbgmcr03 {
  return parseIdoc(readSample("sap-mbgmcr-goods-movement.json")) as Mbgmcr03;
}

export function productionOrderSample(): Loipro01 {
  return parseIdoc(readSample("sap-loipro01-production-order.json")) as Loipro01;
}

type ItemFields = Record<string, string>;

let nextDocnum = 4_713_000;

/** A goods movement with the given items (defaults: the sample's header, a fresh DOCNUM). */
export function goodsMovement(items: ItemFields[], head: Record<string, string> = {}, gmCode = "03"): Mbgmcr03 {
  const sample = goodsMovementSample();
  nextDocnum += 1;
  return parseIdoc({
    idocType: "MBGMCR03",
    control: { ...sample.control, DOCNUM: String(nextDocnum) },
    E1BP2017_GM_HEAD_01: { ...sample.E1BP2017_GM_HEAD_01, ...head },
    E1BP2017_GM_CODE: { GM_CODE: gmCode },
    E1BP2017_GM_ITEM_CREATE: items,
  }) as Mbgmcr03;
}

/** One item of the goods movement sample with some fields replaced. */
export function sampleItem(fields: ItemFields = {}): ItemFields {
  const [item] = goodsMovementSample().E1BP2017_GM_ITEM_CREATE;
  return { ...(item as ItemFields), ...fields };
}

export interface PostOptions {
  format?: "json" | "xml";
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export async function postRaw(
  baseUrl: string,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${baseUrl}/sap/idoc/inbound`, { method: "POST", headers: { "content-type": contentType, ...headers }, body, signal });
}

/** POSTs an IDoc (JSON or XML form) and returns the HTTP response. */
export async function postIdoc(baseUrl: string, idoc: Idoc | Record<string, unknown>, options: PostOptions = {}): Promise<Response> {
  const xml = options.format === "xml";
  const body = xml ? toIdocXml(idoc as Idoc) : JSON.stringify(idoc);
  const headers: Record<string, string> = options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {};
  return postRaw(baseUrl, body, xml ? "application/xml" : "application/json", headers, options.signal);
}

/** POSTs an IDoc, expects HTTP 200 and returns the parsed answer. */
export async function sendIdoc(baseUrl: string, idoc: Idoc | Record<string, unknown>, options: PostOptions = {}): Promise<SapInboundResponse> {
  const response = await postIdoc(baseUrl, idoc, options);
  if (response.status !== 200) throw new Error(`expected HTTP 200, got ${response.status}: ${await response.text()}`);
  return sapInboundResponseSchema.parse(await response.json());
}

/** The application's records of an answer (without 50/64/62). */
export function applicationRecords(answer: SapInboundResponse) {
  return answer.statusRecords.filter((record) => !["50", "64", "62"].includes(record.STATUS));
}
