import { createHash } from "node:crypto";
import { buildAperak, buildContrl, parseAperak, parseContrl, parseEdifact, parseEdifactAsn, type ContrlVerdict } from "./edifact";
import { EdiError } from "./errors";
import type { SupplierAsnPayload } from "./schema";
import { build824, build997, parse824, parse997, parseX12, parseX12Asn, type ApplicationVerdict, type FunctionalVerdict, type ParsedRefusal } from "./x12";

/**
 * What the receiving connector needs around an ASN, whichever syntax the supplier uses: read it
 * (`parseAsn`), answer it (`buildFunctionalAck` → 997 / CONTRL, `buildApplicationAdvice` → 824 /
 * APERAK), and what the portal needs to read those answers (`parseAcknowledgment`).
 */

export type EdiSyntax = "X12" | "EDIFACT";

export function detectSyntax(text: string): EdiSyntax {
  const start = text
    .replace(/^\uFEFF/, "")
    .trimStart()
    .slice(0, 3);
  if (start === "ISA") return "X12";
  if (start === "UNA" || start === "UNB") return "EDIFACT";
  throw new EdiError({ standard: "X12", level: "interchange", code: "024", message: "Neither an X12 (ISA) nor an EDIFACT (UNA/UNB) interchange" });
}

export interface ParsedAsn {
  syntax: EdiSyntax;
  asn: SupplierAsnPayload;
  /** ISA13 / UNB 0020 as a number: the interchange's control number. */
  controlNumber: number;
}

/** An 856 or a DESADV → the SUPPLIER_ASN JSON form. */
export function parseAsn(text: string): ParsedAsn {
  if (detectSyntax(text) === "X12") {
    const { asn, envelope } = parseX12Asn(text);
    return { syntax: "X12", asn, controlNumber: Number(envelope.interchangeControlNumber) };
  }
  const { asn, envelope } = parseEdifactAsn(text);
  return { syntax: "EDIFACT", asn, controlNumber: Number(envelope.controlReference) };
}

export interface AckOptions {
  /** The answer's own interchange control number (ISA13 / UNB 0020). */
  controlNumber: number;
  now?: Date;
}

/** A stable control number (1 … 999999999) for an answer sent on behalf of an idempotency key. */
export function controlNumberFromKey(key: string): number {
  const digest = createHash("sha256").update(key).digest();
  return (digest.readUInt32BE(0) % 999_999_999) + 1;
}

/**
 * 997 for an X12 interchange, CONTRL for an EDIFACT one. Without a verdict the syntax (and the ASN
 * content) is checked here; `rejected` may carry the standard's codes.
 */
export function buildFunctionalAck(
  subject: string,
  verdict: { status: "accepted" } | { status: "rejected"; code?: string } | undefined,
  options: AckOptions,
): string {
  if (detectSyntax(subject) === "X12") {
    const v: FunctionalVerdict | undefined =
      verdict && (verdict.status === "accepted" ? verdict : { status: "rejected", codes: verdict.code ? [verdict.code] : undefined });
    return build997(subject, v, options);
  }
  const v: ContrlVerdict | undefined = verdict && (verdict.status === "accepted" ? verdict : { status: "rejected", code: verdict.code });
  return buildContrl(subject, v, { controlReference: options.controlNumber, now: options.now });
}

/** 824 for an X12 interchange, APERAK for an EDIFACT one: the receiving system's business verdict. */
export function buildApplicationAdvice(subject: string, verdict: ApplicationVerdict, options: AckOptions): string {
  if (detectSyntax(subject) === "X12") return build824(subject, verdict, options);
  return buildAperak(subject, verdict, { controlReference: options.controlNumber, now: options.now });
}

export interface ParsedAcknowledgment {
  syntax: EdiSyntax;
  document: "997" | "824" | "CONTRL" | "APERAK";
  kind: "functional" | "application";
  /** The answer's own interchange: sender id and control number. */
  sender: string;
  controlNumber: number;
  /** The acknowledged ASN interchange (GS06 / OTI08 / UNB 0020 of the subject). */
  acknowledgedControlNumber: number;
  /** The ASN number, where the answer names it (824, APERAK). */
  asnNumber?: string;
  /** functional: accepted (997 A / CONTRL 7) or rejected; application: accepted or refused. */
  status: "accepted" | "rejected" | "refused";
  /** Syntax error codes of a rejection (AK5 / AK9 codes, CONTRL 0085). */
  codes: string[];
  refusals: ParsedRefusal[];
}

/** Reads a 997, 824, CONTRL or APERAK. */
export function parseAcknowledgment(text: string): ParsedAcknowledgment {
  if (detectSyntax(text) === "X12") {
    const interchange = parseX12(text);
    const type = interchange.groups[0]?.transactions[0]?.type;
    const base = { syntax: "X12" as const, sender: interchange.sender.id, controlNumber: Number(interchange.controlNumber) };
    if (type === "997") {
      const ack = parse997(text);
      const rejected = ack.transactions.some((t) => t.status !== "A" && t.status !== "E") || (ack.group.status !== "A" && ack.group.status !== "E");
      return {
        ...base,
        document: "997",
        kind: "functional",
        acknowledgedControlNumber: Number(ack.acknowledgedGroup.controlNumber),
        status: rejected ? "rejected" : "accepted",
        codes: [...ack.transactions.flatMap((t) => t.codes), ...ack.group.codes],
        refusals: [],
      };
    }
    if (type === "824") {
      const advice = parse824(text).advices[0]!;
      return {
        ...base,
        document: "824",
        kind: "application",
        acknowledgedControlNumber: Number(advice.groupControlNumber),
        asnNumber: advice.asnNumber,
        status: advice.status,
        codes: [],
        refusals: advice.refusals,
      };
    }
    throw new EdiError({
      standard: "X12",
      level: "interchange",
      code: "024",
      message: `Transaction set ${type ?? "(none)"} is not an acknowledgment (997 / 824)`,
    });
  }
  const interchange = parseEdifact(text);
  const type = interchange.messages[0]?.type;
  const base = { syntax: "EDIFACT" as const, sender: interchange.sender.id, controlNumber: Number(interchange.controlReference) };
  if (type === "CONTRL") {
    const contrl = parseContrl(text);
    const rejected = contrl.subject.action === "4" || contrl.messages.some((m) => m.action === "4");
    return {
      ...base,
      document: "CONTRL",
      kind: "functional",
      acknowledgedControlNumber: Number(contrl.subject.controlReference),
      status: rejected ? "rejected" : "accepted",
      codes: [...(contrl.subject.code ? [contrl.subject.code] : []), ...contrl.messages.flatMap((m) => (m.code ? [m.code] : []))],
      refusals: [],
    };
  }
  if (type === "APERAK") {
    const aperak = parseAperak(text);
    return {
      ...base,
      document: "APERAK",
      kind: "application",
      acknowledgedControlNumber: Number(aperak.subjectControlReference),
      asnNumber: aperak.asnNumber,
      status: aperak.status,
      codes: [],
      refusals: aperak.refusals,
    };
  }
  throw new EdiError({
    standard: "EDIFACT",
    level: "interchange",
    code: "15",
    message: `Message ${type ?? "(none)"} is not an acknowledgment (CONTRL / APERAK)`,
  });
}
