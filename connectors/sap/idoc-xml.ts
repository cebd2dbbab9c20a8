import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { IDOC_TYPE_SPECS, IDOC_TYPES, type IdocType, type SegmentSpec } from "./idoc-schema";

/**
 * The IDoc XML form (the one SAP's XML-HTTP and XML-file ports write, and IDX/PI use):
 *
 *   <LOIPRO01><IDOC BEGIN="1">
 *     <EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM>…</EDI_DC40>
 *     <E1AFKOL SEGMENT="1"><AUFNR>…</AUFNR>…<E1AFFLL SEGMENT="1">…</E1AFFLL></E1AFKOL>
 *   </IDOC></LOIPRO01>
 *
 * The root element is the basic type, each segment an element with SEGMENT="1" whose fields are
 * leaf elements, followed by its child segments. This module only maps between that tree and the
 * plain JSON form; validation is the schemas' job.
 */

type XmlNode = Record<string, unknown>;
type JsonSegment = Record<string, unknown>;

const ATTRIBUTES = ":@";
const TEXT = "#text";

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  format: true,
  suppressEmptyNode: false,
});

export class IdocXmlError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid IDoc XML: ${issues.join("; ")}`);
    this.name = "IdocXmlError";
  }
}

function tagOf(node: XmlNode): string {
  return Object.keys(node).find((key) => key !== ATTRIBUTES) ?? "";
}

function childrenOf(node: XmlNode): XmlNode[] {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

function isLeaf(children: readonly XmlNode[]): boolean {
  return children.every((child) => tagOf(child) === TEXT);
}

function textOf(children: readonly XmlNode[]): string {
  return children.map((child) => String(child[TEXT] ?? "")).join("");
}

/** Converts the element children of a segment (or of the control record) into its JSON object. */
function readSegment(children: readonly XmlNode[], specs: readonly SegmentSpec[], where: string, issues: string[]): JsonSegment {
  const out: JsonSegment = {};
  for (const node of children) {
    const tag = tagOf(node);
    if (tag === TEXT) {
      issues.push(`${where}: unexpected text ${JSON.stringify(String(node[TEXT]))}`);
      continue;
    }
    const grandChildren = childrenOf(node);
    const spec = specs.find((s) => s.name === tag);
    if (spec) {
      const value = readSegment(grandChildren, spec.children, `${where}/${tag}`, issues);
      if (spec.repeatable) {
        const list = (out[tag] as JsonSegment[] | undefined) ?? [];
        list.push(value);
        out[tag] = list;
      } else if (tag in out) {
        issues.push(`${where}: segment ${tag} may occur only once`);
      } else {
        out[tag] = value;
      }
    } else if (isLeaf(grandChildren)) {
      if (tag in out) issues.push(`${where}: field ${tag} occurs more than once`);
      else out[tag] = textOf(grandChildren);
    } else {
      issues.push(`${where}: unknown segment ${tag}`);
    }
  }
  return out;
}

/**
 * Parses IDoc XML into the plain (not yet validated) JSON form. Throws IdocXmlError when the text
 * is not well-formed XML or not shaped like an IDoc of a supported basic type.
 */
export function idocXmlToJson(xml: string): Record<string, unknown> {
  let document: XmlNode[];
  try {
    document = parser.parse(xml, true) as XmlNode[];
  } catch (error) {
    throw new IdocXmlError([`not well-formed XML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const roots = document.filter((node) => tagOf(node) !== TEXT && !tagOf(node).startsWith("?"));
  const root = roots[0];
  if (!root || roots.length !== 1) throw new IdocXmlError(["expected exactly one root element (the IDoc basic type)"]);
  const rootTag = tagOf(root);
  if (!(IDOC_TYPES as readonly string[]).includes(rootTag)) {
    throw new IdocXmlError([`unsupported IDoc basic type <${rootTag}> (supported: ${IDOC_TYPES.join(", ")})`]);
  }
  const idocType = rootTag as IdocType;
  const idocs = childrenOf(root).filter((node) => tagOf(node) === "IDOC");
  const [idoc] = idocs;
  if (!idoc || idocs.length !== 1) {
    throw new IdocXmlError([`expected exactly one <IDOC> element in <${idocType}>, found ${idocs.length} (send one IDoc per request)`]);
  }
  const spec = IDOC_TYPE_SPECS[idocType];
  const issues: string[] = [];
  const out: Record<string, unknown> = { idocType };
  const dataSegments: XmlNode[] = [];
  for (const node of childrenOf(idoc)) {
    const tag = tagOf(node);
    if (tag === "EDI_DC40") {
      if ("control" in out) issues.push("IDOC: EDI_DC40 occurs more than once");
      out.control = readSegment(childrenOf(node), [], "EDI_DC40", issues);
    } else if (spec.wrapper !== undefined && tag === spec.wrapper) {
      // BAPI IDocs: the root segment's fields stay under its name, its children move to the top.
      const children = childrenOf(node);
      const fields = children.filter((child) => !spec.segments.some((s) => s.name === tagOf(child)));
      if (fields.length > 0) out[tag] = readSegment(fields, [], tag, issues);
      dataSegments.push(...children.filter((child) => !fields.includes(child)));
    } else if (spec.segments.some((s) => s.name === tag)) {
      dataSegments.push(node);
    } else {
      issues.push(`IDOC: unknown segment ${tag} for ${idocType}`);
    }
  }
  Object.assign(out, readSegment(dataSegments, spec.segments, "IDOC", issues));
  if (!("control" in out)) issues.push("IDOC: control record EDI_DC40 is missing");
  if (issues.length > 0) throw new IdocXmlError(issues);
  return out;
}

function field(name: string, value: string): XmlNode {
  return { [name]: [{ [TEXT]: value }] };
}

function writeSegment(name: string, value: JsonSegment, specs: readonly SegmentSpec[]): XmlNode {
  return { [name]: [...writeFields(value), ...writeChildSegments(value, specs)], [ATTRIBUTES]: { SEGMENT: "1" } };
}

/** The string-valued entries of a segment, in the object's order. */
function writeFields(value: JsonSegment): XmlNode[] {
  return Object.entries(value).flatMap(([key, v]) => (typeof v === "string" ? [field(key, v)] : []));
}

/** Child segments in the order of the type definition (as SAP writes them). */
function writeChildSegments(value: JsonSegment, specs: readonly SegmentSpec[]): XmlNode[] {
  return specs.flatMap((spec) => {
    const child = value[spec.name];
    if (child === undefined) return [];
    const list = Array.isArray(child) ? child : [child];
    return list.map((item) => writeSegment(spec.name, item as JsonSegment, spec.children));
  });
}

/** EDI_DC40 fields in the order of the control record structure. */
const CONTROL_FIELD_ORDER = [
  "TABNAM",
  "MANDT",
  "DOCNUM",
  "DOCREL",
  "STATUS",
  "DIRECT",
  "OUTMOD",
  "EXPRSS",
  "TEST",
  "IDOCTYP",
  "CIMTYP",
  "MESTYP",
  "MESCOD",
  "MESFCT",
  "STD",
  "STDVRS",
  "STDMES",
  "SNDPOR",
  "SNDPRT",
  "SNDPFC",
  "SNDPRN",
  "SNDSAD",
  "SNDLAD",
  "RCVPOR",
  "RCVPRT",
  "RCVPFC",
  "RCVPRN",
  "RCVSAD",
  "RCVLAD",
  "CREDAT",
  "CRETIM",
  "REFINT",
  "REFGRP",
  "REFMES",
  "ARCKEY",
  "SERIAL",
];

function writeControl(idocType: IdocType, control: JsonSegment): XmlNode {
  const values: JsonSegment = { ...control, TABNAM: "EDI_DC40", IDOCTYP: idocType };
  const rank = (key: string) => {
    const index = CONTROL_FIELD_ORDER.indexOf(key);
    return index === -1 ? CONTROL_FIELD_ORDER.length : index;
  };
  const ordered = Object.keys(values).sort((a, b) => rank(a) - rank(b));
  return { EDI_DC40: writeFields(Object.fromEntries(ordered.map((key) => [key, values[key]]))), [ATTRIBUTES]: { SEGMENT: "1" } };
}

/**
 * Writes the (validated) JSON form as IDoc XML. The control record gets TABNAM = EDI_DC40 and
 * IDOCTYP = the basic type, as SAP writes them.
 */
export function idocJsonToXml(idocType: IdocType, idoc: Record<string, unknown>): string {
  const spec = IDOC_TYPE_SPECS[idocType];
  const segments = writeChildSegments(idoc, spec.segments);
  const data =
    spec.wrapper === undefined
      ? segments
      : [{ [spec.wrapper]: [...writeFields((idoc[spec.wrapper] ?? {}) as JsonSegment), ...segments], [ATTRIBUTES]: { SEGMENT: "1" } }];
  const document: XmlNode[] = [
    { "?xml": [{ [TEXT]: "" }], [ATTRIBUTES]: { version: "1.0", encoding: "UTF-8" } },
    { [idocType]: [{ IDOC: [writeControl(idocType, (idoc.control ?? {}) as JsonSegment), ...data], [ATTRIBUTES]: { BEGIN: "1" } }] },
  ];
  return builder.build(document) as string;
}
