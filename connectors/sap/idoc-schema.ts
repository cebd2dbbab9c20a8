import { z } from "zod";
import { isSapDate, isSapTime, QUANTITY_PATTERN } from "./sap-format";

/**
 * The JSON form of the IDocs Andon handles (as in shared/domain/samples, copied to ./fixtures):
 * `idocType`, the control record as `control`, and the data segments keyed by their SAP segment
 * names, with child segments nested inside their parent and repeatable segments as arrays. Field
 * names and lengths are SAP's (EDI_DC40 and the E1… segment definitions of WE31). Fields the
 * schemas do not name are kept as long as they are plain strings, so a full IDoc from a real
 * system round-trips; anything nested that is not a known child segment is rejected.
 */

// ---------------------------------------------------------------------------------------------
// Field types
// ---------------------------------------------------------------------------------------------

const char = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const required = (max: number) => char(max).min(1, "must not be empty");
const date = z.string().refine((v) => v === "00000000" || isSapDate(v), "must be a date YYYYMMDD");
const time = z.string().refine(isSapTime, "must be a time HHMMSS");
const quantity = z.string().regex(QUANTITY_PATTERN, "must be a non-negative quantity with at most 3 decimals");
/** Operation standard values (VGW01…) and the like: unsigned decimal. */
const decimal = z.string().regex(/^\s*\d{0,13}(\.\d{0,6})?\s*$/, "must be a decimal number");
const flag = z.enum(["", "X"], { error: "must be 'X' or empty" });
/** Message function of master-data IDocs: 003 delete, 004 change, 005 replace, 009 original, 018 re-send. */
const msgfn = z.enum(["", "003", "004", "005", "009", "018"], { error: "must be a message function (003, 004, 005, 009, 018)" });
/** MATNR: 18 characters in ERP 6.0, 40 in S/4HANA (extended material number). */
const matnr = required(40);

/**
 * A segment: known fields and child segments are validated by `shape`; other keys are accepted only
 * as plain string fields (a real segment has many more fields than the ones Andon uses).
 */
function segment<Shape extends z.ZodRawShape>(name: string, shape: Shape) {
  const extraField = z.unknown().superRefine((value, ctx) => {
    if (typeof value !== "string") {
      ctx.addIssue({ code: "custom", message: `unknown segment in ${name} (only plain string fields may be added)`, continue: true });
    }
  });
  return z.object(shape).catchall(extraField);
}

/** Runs a refinement even when other fields of the object already failed, so all problems are listed. */
const always = { when: (payload: { value: unknown }) => typeof payload.value === "object" && payload.value !== null };

// ---------------------------------------------------------------------------------------------
// Control record (EDI_DC40)
// ---------------------------------------------------------------------------------------------

export const controlRecordSchema = segment("EDI_DC40", {
  /** IDoc number: NUMC 16; shorter numbers are zero-padded. */
  DOCNUM: z
    .string()
    .regex(/^\d{1,16}$/, "must be an IDoc number (up to 16 digits)")
    .transform((v) => v.padStart(16, "0")),
  MESTYP: required(30),
  SNDPRN: required(10),
  RCVPRN: required(10),
  MANDT: char(3).optional(),
  DOCREL: char(4).optional(),
  STATUS: char(2).optional(),
  DIRECT: z.enum(["", "1", "2"], { error: "must be 1 (outbound) or 2 (inbound)" }).optional(),
  OUTMOD: char(1).optional(),
  TEST: flag.optional(),
  CIMTYP: char(30).optional(),
  MESCOD: char(3).optional(),
  MESFCT: char(3).optional(),
  SNDPOR: char(10).optional(),
  SNDPRT: char(2).optional(),
  SNDPFC: char(2).optional(),
  RCVPOR: char(10).optional(),
  RCVPRT: char(2).optional(),
  RCVPFC: char(2).optional(),
  CREDAT: date.optional(),
  CRETIM: time.optional(),
  SERIAL: char(20).optional(),
  ARCKEY: char(70).optional(),
  REFINT: char(14).optional(),
  REFGRP: char(14).optional(),
  REFMES: char(14).optional(),
});

// ---------------------------------------------------------------------------------------------
// LOIPRO01: production order (PP)
// ---------------------------------------------------------------------------------------------

/** Operation. */
export const e1afvolSchema = segment("E1AFVOL", {
  VORNR: required(4),
  STEUS: char(4).optional(),
  // Work centers are CHAR 8 in SAP (CRHD-ARBPL); the shared demo sample uses 10 ("WC-WELD-02").
  ARBPL: char(10).optional(),
  WERKS: char(4).optional(),
  LTXA1: char(40).optional(),
  VGW01: decimal.optional(),
  VGE01: char(3).optional(),
  VGW02: decimal.optional(),
  VGE02: char(3).optional(),
  VGW03: decimal.optional(),
  VGE03: char(3).optional(),
  BMSCH: decimal.optional(),
  MEINH: char(3).optional(),
  FSAVD: date.optional(),
  FSEDD: date.optional(),
});

/** Sequence of operations. */
export const e1affllSchema = segment("E1AFFLL", {
  APLFL: char(6).optional(),
  FLGAT: char(1).optional(),
  LTXA1: char(40).optional(),
  E1AFVOL: z.array(e1afvolSchema).optional(),
});

/** Reservation / component requirement. */
export const e1resblSchema = segment("E1RESBL", {
  RSNUM: char(10).optional(),
  RSPOS: char(4).optional(),
  MATNR: matnr,
  WERKS: char(4).optional(),
  LGORT: char(4).optional(),
  CHARG: char(10).optional(),
  BDMNG: quantity,
  MEINS: required(3),
  BDTER: date.optional(),
  VORNR: char(4).optional(),
  POSTP: char(1).optional(),
  XLOEK: flag.optional(),
  KZEAR: flag.optional(),
});

/** Order item. */
export const e1afpolSchema = segment("E1AFPOL", {
  POSNR: char(4).optional(),
  MATNR: char(40).optional(),
  PSMNG: quantity.optional(),
  MEINS: char(3).optional(),
  LGORT: char(4).optional(),
});

/** Order status (system status I0002 = REL, I0045 = TECO, …). */
export const e1jstklSchema = segment("E1JSTKL", {
  STAT: required(5),
  INACT: flag.optional(),
});

/** Order header. */
export const e1afkolSchema = segment("E1AFKOL", {
  AUFNR: required(12),
  AUART: char(4).optional(),
  AUTYP: char(2).optional(),
  WERKS: required(4),
  MATNR: matnr,
  GAMNG: quantity,
  GMEIN: required(3),
  GSTRP: date.optional(),
  GLTRP: date.optional(),
  FTRMI: date.optional(),
  DISPO: char(3).optional(),
  FEVOR: char(3).optional(),
  E1AFFLL: z.array(e1affllSchema).optional(),
  E1AFPOL: z.array(e1afpolSchema).optional(),
  E1RESBL: z.array(e1resblSchema).optional(),
  E1JSTKL: z.array(e1jstklSchema).optional(),
});

// ---------------------------------------------------------------------------------------------
// MBGMCR03: goods movement (BAPI_GOODSMVT_CREATE via ALE)
// ---------------------------------------------------------------------------------------------

/** E1MBGMCR is the BAPI's root segment: in XML it wraps all others; here it keeps only its field. */
export const e1mbgmcrSchema = segment("E1MBGMCR", { TESTRUN: flag.optional() });

export const e1bp2017GmHead01Schema = segment("E1BP2017_GM_HEAD_01", {
  PSTNG_DATE: date.optional(),
  DOC_DATE: date.optional(),
  REF_DOC_NO: char(16).optional(),
  BILL_OF_LADING: char(16).optional(),
  GR_GI_SLIP_NO: char(10).optional(),
  PR_UNAME: char(12).optional(),
  HEADER_TXT: char(25).optional(),
  REF_DOC_NO_LONG: char(35).optional(),
});

/**
 * GM_CODE (T158G): 01 GR for purchase order, 02 GR for production order, 03 goods issue,
 * 04 transfer posting, 05 other goods receipts, 06 reversal of goods movements, 07 subsequent adjustment.
 */
export const GM_CODES = ["01", "02", "03", "04", "05", "06", "07"] as const;
export const e1bp2017GmCodeSchema = segment("E1BP2017_GM_CODE", {
  GM_CODE: z.enum(GM_CODES, { error: "must be a goods movement code 01…07" }),
});

export const e1bp2017GmItemCreateSchema = segment("E1BP2017_GM_ITEM_CREATE", {
  MATERIAL: char(18).optional(),
  MATERIAL_LONG: char(40).optional(),
  PLANT: required(4),
  STGE_LOC: char(4).optional(),
  BATCH: char(10).optional(),
  MOVE_TYPE: z.string().regex(/^[0-9A-Z]{3}$/, "must be a movement type (3 characters)"),
  STCK_TYPE: char(1).optional(),
  SPEC_STOCK: char(1).optional(),
  VENDOR: char(10).optional(),
  CUSTOMER: char(10).optional(),
  ENTRY_QNT: quantity,
  ENTRY_UOM: char(3).optional(),
  ENTRY_UOM_ISO: char(3).optional(),
  PO_NUMBER: char(10).optional(),
  PO_ITEM: char(5).optional(),
  ORDERID: char(12).optional(),
  ORDER_ITNO: char(4).optional(),
  RESERV_NO: char(10).optional(),
  RES_ITEM: char(4).optional(),
  MOVE_MAT: char(18).optional(),
  MOVE_PLANT: char(4).optional(),
  MOVE_STLOC: char(4).optional(),
  MOVE_BATCH: char(10).optional(),
  MVT_IND: char(1).optional(),
  MOVE_REAS: char(4).optional(),
  COSTCENTER: char(10).optional(),
  ITEM_TEXT: char(50).optional(),
  WITHDRAWN: flag.optional(),
  NO_MORE_GR: flag.optional(),
}).refine((item) => Boolean(item.MATERIAL || item.MATERIAL_LONG), {
  message: "is required (MATERIAL or MATERIAL_LONG)",
  path: ["MATERIAL"],
  ...always,
});

export const e1bp2017GmSerialnumberSchema = segment("E1BP2017_GM_SERIALNUMBER", {
  MATDOC_ITM: char(4).optional(),
  SERIALNO: required(18),
});

// ---------------------------------------------------------------------------------------------
// MATMAS05: material master
// ---------------------------------------------------------------------------------------------

export const e1maktmSchema = segment("E1MAKTM", {
  MSGFN: msgfn.optional(),
  SPRAS: char(1).optional(),
  SPRAS_ISO: char(2).optional(),
  MAKTX: char(40).optional(),
});

/** Storage location data (MARD). */
export const e1mardmSchema = segment("E1MARDM", {
  MSGFN: msgfn.optional(),
  LGORT: required(4),
  LGPBE: char(10).optional(),
});

/** Plant data (MARC); XCHPF is the batch management requirement in this plant. */
export const e1marcmSchema = segment("E1MARCM", {
  MSGFN: msgfn.optional(),
  WERKS: required(4),
  XCHPF: flag.optional(),
  MMSTA: char(2).optional(),
  DISMM: char(2).optional(),
  DISPO: char(3).optional(),
  BESKZ: char(1).optional(),
  SOBSL: char(2).optional(),
  EKGRP: char(3).optional(),
  PLIFZ: char(3).optional(),
  LVORM: flag.optional(),
  E1MARDM: z.array(e1mardmSchema).optional(),
});

/** International article numbers of a unit. */
export const e1meanmSchema = segment("E1MEANM", {
  MSGFN: msgfn.optional(),
  MEINH: char(3).optional(),
  EAN11: char(18).optional(),
  EANTP: char(2).optional(),
});

/** Alternative unit of measure: 1 MEINH = UMREZ / UMREN base units. */
export const e1marmmSchema = segment("E1MARMM", {
  MSGFN: msgfn.optional(),
  MEINH: required(3),
  UMREZ: z
    .string()
    .regex(/^\s*\d{1,5}\s*$/, "must be a whole number (numerator)")
    .optional(),
  UMREN: z
    .string()
    .regex(/^\s*\d{1,5}\s*$/, "must be a whole number (denominator)")
    .optional(),
  EAN11: char(18).optional(),
  E1MEANM: z.array(e1meanmSchema).optional(),
});

/** Valuation data (MBEW). */
export const e1mbewmSchema = segment("E1MBEWM", {
  MSGFN: msgfn.optional(),
  BWKEY: char(4).optional(),
  BWTAR: char(10).optional(),
  VPRSV: char(1).optional(),
  VERPR: decimal.optional(),
  STPRS: decimal.optional(),
  PEINH: char(5).optional(),
  BKLAS: char(4).optional(),
});

export const e1mlgnmSchema = segment("E1MLGNM", { MSGFN: msgfn.optional(), LGNUM: char(3).optional() });
export const e1mvkemSchema = segment("E1MVKEM", {
  MSGFN: msgfn.optional(),
  VKORG: char(4).optional(),
  VTWEG: char(2).optional(),
});
export const e1mlanmSchema = segment("E1MLANM", {
  MSGFN: msgfn.optional(),
  ALAND: char(3).optional(),
  TATY1: char(4).optional(),
  TAXM1: char(1).optional(),
});

/** General material data (MARA). */
export const e1maramSchema = segment("E1MARAM", {
  MSGFN: msgfn.optional(),
  MATNR: matnr,
  ERSDA: date.optional(),
  LAEDA: date.optional(),
  LVORM: flag.optional(),
  MTART: char(4).optional(),
  MBRSH: char(1).optional(),
  MATKL: char(9).optional(),
  MEINS: char(3).optional(),
  BRGEW: decimal.optional(),
  NTGEW: decimal.optional(),
  GEWEI: char(3).optional(),
  XCHPF: flag.optional(),
  MSTAE: char(2).optional(),
  E1MAKTM: z.array(e1maktmSchema).optional(),
  E1MARCM: z.array(e1marcmSchema).optional(),
  E1MARMM: z.array(e1marmmSchema).optional(),
  E1MBEWM: z.array(e1mbewmSchema).optional(),
  E1MLGNM: z.array(e1mlgnmSchema).optional(),
  E1MVKEM: z.array(e1mvkemSchema).optional(),
  E1MLANM: z.array(e1mlanmSchema).optional(),
});

// ---------------------------------------------------------------------------------------------
// IDocs
// ---------------------------------------------------------------------------------------------

export const IDOC_TYPES = ["LOIPRO01", "MBGMCR03", "MATMAS05"] as const;
export type IdocType = (typeof IDOC_TYPES)[number];

/** Logical message type (EDIDC-MESTYP) of each basic type. */
export const MESSAGE_TYPE: Readonly<Record<IdocType, string>> = {
  LOIPRO01: "LOIPRO",
  MBGMCR03: "MBGMCR",
  MATMAS05: "MATMAS",
};

/** MESTYP must be the message type of the basic type (checked even when other fields fail). */
const withMatchingMessageType = z.superRefine<{ idocType: IdocType; control?: { MESTYP?: unknown } }>((idoc, ctx) => {
  const expected = MESSAGE_TYPE[idoc.idocType];
  const actual = idoc.control?.MESTYP;
  if (typeof actual === "string" && actual !== expected) {
    ctx.addIssue({ code: "custom", path: ["control", "MESTYP"], message: `must be ${expected} for ${idoc.idocType} (got ${actual})` });
  }
}, always);

export const loipro01Schema = z
  .object({ idocType: z.literal("LOIPRO01"), control: controlRecordSchema, E1AFKOL: e1afkolSchema })
  .check(withMatchingMessageType);

export const mbgmcr03Schema = z
  .object({
    idocType: z.literal("MBGMCR03"),
    control: controlRecordSchema,
    E1MBGMCR: e1mbgmcrSchema.optional(),
    E1BP2017_GM_HEAD_01: e1bp2017GmHead01Schema,
    E1BP2017_GM_CODE: e1bp2017GmCodeSchema,
    E1BP2017_GM_ITEM_CREATE: z.array(e1bp2017GmItemCreateSchema).min(1, "at least one item is required"),
    E1BP2017_GM_SERIALNUMBER: z.array(e1bp2017GmSerialnumberSchema).optional(),
  })
  .check(withMatchingMessageType);

export const matmas05Schema = z
  .object({ idocType: z.literal("MATMAS05"), control: controlRecordSchema, E1MARAM: e1maramSchema })
  .check(withMatchingMessageType);

export const IDOC_SCHEMAS = { LOIPRO01: loipro01Schema, MBGMCR03: mbgmcr03Schema, MATMAS05: matmas05Schema } as const;

export type ControlRecord = z.output<typeof controlRecordSchema>;
export type Loipro01 = z.output<typeof loipro01Schema>;
export type Mbgmcr03 = z.output<typeof mbgmcr03Schema>;
export type Matmas05 = z.output<typeof matmas05Schema>;
export type Idoc = Loipro01 | Mbgmcr03 | Matmas05;
export type GoodsMovementItem = z.output<typeof e1bp2017GmItemCreateSchema>;

// ---------------------------------------------------------------------------------------------
// Segment hierarchy (the IDoc type definition of WE30), used for XML and for segment numbers
// ---------------------------------------------------------------------------------------------

export interface SegmentSpec {
  readonly name: string;
  readonly repeatable: boolean;
  readonly children: readonly SegmentSpec[];
}

export interface IdocTypeSpec {
  readonly idocType: IdocType;
  /** Root segment that wraps every other segment in the XML form but is flattened in JSON (BAPI IDocs). */
  readonly wrapper?: string;
  readonly segments: readonly SegmentSpec[];
}

const seg = (name: string, repeatable: boolean, children: readonly SegmentSpec[] = []): SegmentSpec => ({ name, repeatable, children });

export const IDOC_TYPE_SPECS: Readonly<Record<IdocType, IdocTypeSpec>> = {
  LOIPRO01: {
    idocType: "LOIPRO01",
    segments: [seg("E1AFKOL", false, [seg("E1AFFLL", true, [seg("E1AFVOL", true)]), seg("E1AFPOL", true), seg("E1RESBL", true), seg("E1JSTKL", true)])],
  },
  MBGMCR03: {
    idocType: "MBGMCR03",
    wrapper: "E1MBGMCR",
    segments: [seg("E1BP2017_GM_HEAD_01", false), seg("E1BP2017_GM_CODE", false), seg("E1BP2017_GM_ITEM_CREATE", true), seg("E1BP2017_GM_SERIALNUMBER", true)],
  },
  MATMAS05: {
    idocType: "MATMAS05",
    segments: [
      seg("E1MARAM", false, [
        seg("E1MAKTM", true),
        seg("E1MARCM", true, [seg("E1MARDM", true)]),
        seg("E1MARMM", true, [seg("E1MEANM", true)]),
        seg("E1MBEWM", true),
        seg("E1MLGNM", true),
        seg("E1MVKEM", true),
        seg("E1MLANM", true),
      ]),
    ],
  },
};
