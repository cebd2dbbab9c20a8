/**
 * XML-RPC wire format as Python's `xmlrpc.client` reads and writes it (Odoo's `/xmlrpc/2/*` routes
 * use `xmlrpc.client.loads` for requests and `OdooMarshaller(allow_none=False).dumps` for answers).
 *
 * - Requests: `<methodCall><methodName>…</methodName><params><param><value>…`; values `int`/`i4`/
 *   `i8`, `boolean`, `string` (or bare text), `double`, `dateTime.iso8601` (Odoo passes
 *   `use_datetime=True`; the emulator hands the ORM `YYYY-MM-DD HH:MM:SS`), `base64` (decoded to
 *   text), `nil`, `array`, `struct`.
 * - Answers: byte for byte what `Marshaller.dumps` writes (one value per line, `<fault>` with a
 *   `faultCode`/`faultString` struct), wrapped by Odoo in `<?xml version="1.0"?>\n<methodResponse>`.
 *   JavaScript numbers carry no int/float distinction: integral numbers are written as `<int>`
 *   (Odoo writes `250.0` for a float field as `<double>`; clients read both as numbers).
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export class XmlRpcDecodeError extends Error {
  /** Python exception name (`xml.parsers.expat.ExpatError`, `builtins.ValueError`, `builtins.TypeError`). */
  readonly pythonName: string;
  constructor(pythonName: string, message: string) {
    super(message);
    this.pythonName = pythonName;
  }
}

export class XmlRpcEncodeError extends Error {
  readonly pythonName: string;
  constructor(pythonName: string, message: string) {
    super(message);
    this.pythonName = pythonName;
  }
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  trimValues: false,
  parseTagValue: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function tagOf(node: Node): string | undefined {
  return Object.keys(node).find((key) => key !== ":@" && key !== "#text");
}

function childrenOf(node: Node): Node[] {
  const tag = tagOf(node);
  const children = tag ? node[tag] : [];
  return Array.isArray(children) ? (children as Node[]) : [];
}

function elements(nodes: readonly Node[]): Node[] {
  return nodes.filter((node) => tagOf(node) !== undefined);
}

function textOf(nodes: readonly Node[]): string {
  return nodes.map((node) => (typeof node["#text"] === "string" ? node["#text"] : "")).join("");
}

const XMLRPC_INT = /^\s*[+-]?\d+\s*$/;
const MAXINT = 2 ** 31 - 1;
const MININT = -(2 ** 31);

function decodeValue(value: Node): unknown {
  const inner = elements(childrenOf(value));
  if (inner.length === 0) return textOf(childrenOf(value)); // bare text is a string
  const typed = inner[0] as Node;
  const tag = tagOf(typed) ?? "";
  const content = childrenOf(typed);
  const text = textOf(content);
  switch (tag) {
    case "int":
    case "i4":
    case "i8":
    case "i1":
    case "i2":
    case "biginteger":
      if (!XMLRPC_INT.test(text)) throw new XmlRpcDecodeError("builtins.ValueError", `invalid literal for int() with base 10: '${text}'`);
      return Number(text.trim());
    case "boolean":
      if (text === "0") return false;
      if (text === "1") return true;
      throw new XmlRpcDecodeError("builtins.TypeError", "bad boolean value");
    case "string":
      return text;
    case "double":
    case "float":
    case "bigdecimal": {
      const number = Number(text.trim());
      if (text.trim() === "" || Number.isNaN(number)) throw new XmlRpcDecodeError("builtins.ValueError", `could not convert string to float: '${text}'`);
      return number;
    }
    case "dateTime.iso8601": {
      const match = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(text.trim());
      if (!match) throw new XmlRpcDecodeError("builtins.ValueError", `time data '${text}' does not match format '%Y%m%dT%H:%M:%S'`);
      return `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6]}`;
    }
    case "base64":
      return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
    case "nil":
      return null;
    case "array": {
      const data = elements(content).find((node) => tagOf(node) === "data");
      return data ? elements(childrenOf(data)).map(decodeValue) : [];
    }
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const member of elements(content)) {
        const parts = elements(childrenOf(member));
        const name = parts.find((node) => tagOf(node) === "name");
        const memberValue = parts.find((node) => tagOf(node) === "value");
        if (!name || !memberValue) throw new XmlRpcDecodeError("builtins.ValueError", "malformed struct member");
        out[textOf(childrenOf(name))] = decodeValue(memberValue);
      }
      return out;
    }
    default:
      throw new XmlRpcDecodeError("builtins.TypeError", `unknown tag '${tag}'`);
  }
}

export interface MethodCall {
  readonly methodName: string;
  readonly params: unknown[];
}

/** `xmlrpc.client.loads(data)` for a `<methodCall>`. */
export function decodeMethodCall(xml: string): MethodCall {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new XmlRpcDecodeError("xml.parsers.expat.ExpatError", `syntax error: line ${valid.err.line}, column ${Math.max(0, valid.err.col - 1)}`);
  }
  if (xml.trim() === "") throw new XmlRpcDecodeError("xml.parsers.expat.ExpatError", "no element found: line 1, column 0");
  const document = elements(parser.parse(xml) as Node[]);
  const call = document.find((node) => tagOf(node) === "methodCall");
  if (!call) throw new XmlRpcDecodeError("xmlrpc.client.ResponseError", "ResponseError()");
  const parts = elements(childrenOf(call));
  const name = parts.find((node) => tagOf(node) === "methodName");
  if (!name) throw new XmlRpcDecodeError("xmlrpc.client.ResponseError", "ResponseError()");
  const params = parts.find((node) => tagOf(node) === "params");
  const values = params
    ? elements(childrenOf(params)).map((param) => {
        const value = elements(childrenOf(param)).find((node) => tagOf(node) === "value");
        if (!value) throw new XmlRpcDecodeError("xmlrpc.client.ResponseError", "ResponseError()");
        return decodeValue(value);
      })
    : [];
  return { methodName: textOf(childrenOf(name)), params: values };
}

// ---- encoding (xmlrpc.client.Marshaller + OdooMarshaller) ------------------------------------

const xmlEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** OdooMarshaller.dump_unicode: XML 1.0 forbids control characters but tab, newline and CR. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to remove them
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function dump(value: unknown, out: string[]): void {
  if (value === null || value === undefined) throw new XmlRpcEncodeError("builtins.TypeError", "cannot marshal None unless allow_none is enabled");
  if (typeof value === "boolean") {
    out.push(`<value><boolean>${value ? "1" : "0"}</boolean></value>\n`);
  } else if (typeof value === "number") {
    if (Number.isInteger(value)) {
      if (value > MAXINT || value < MININT) throw new XmlRpcEncodeError("builtins.OverflowError", "int exceeds XML-RPC limits");
      out.push(`<value><int>${value}</int></value>\n`);
    } else {
      out.push(`<value><double>${pythonFloatRepr(value)}</double></value>\n`);
    }
  } else if (typeof value === "string") {
    out.push(`<value><string>${xmlEscape(value.replace(CONTROL_CHARACTERS, ""))}</string></value>\n`);
  } else if (Array.isArray(value)) {
    out.push("<value><array><data>\n");
    for (const item of value) dump(item, out);
    out.push("</data></array></value>\n");
  } else if (typeof value === "object") {
    out.push("<value><struct>\n");
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out.push("<member>\n", `<name>${xmlEscape(key)}</name>\n`);
      dump(item, out);
      out.push("</member>\n");
    }
    out.push("</struct></value>\n");
  } else {
    throw new XmlRpcEncodeError("builtins.TypeError", `cannot marshal ${typeof value} objects`);
  }
}

/** Odoo's `dumps()`: the marshalled body in `<methodResponse>`. */
function wrap(body: string): string {
  return `<?xml version="1.0"?>\n<methodResponse>\n${body}\n</methodResponse>\n`;
}

/** Answer carrying one value (`dumps((result,))`). Throws XmlRpcEncodeError for None and big ints. */
export function encodeResponse(result: unknown): string {
  const out: string[] = ["<params>\n", "<param>\n"];
  dump(result, out);
  out.push("</param>\n", "</params>\n");
  return wrap(out.join(""));
}

/** A fault: `faultCode` int (`/xmlrpc/2`) or string (legacy `/xmlrpc`), `faultString`. */
export function encodeFault(faultCode: number | string, faultString: string): string {
  const out: string[] = ["<fault>\n"];
  dump({ faultCode, faultString }, out);
  out.push("</fault>\n");
  return wrap(out.join(""));
}

// ---- client side (tests and tools) ------------------------------------------------------------

/** A `<methodCall>` as `xmlrpc.client.dumps(params, methodname)` writes it. */
export function encodeMethodCall(methodName: string, params: readonly unknown[]): string {
  const out: string[] = ["<?xml version='1.0'?>\n<methodCall>\n", `<methodName>${xmlEscape(methodName)}</methodName>\n`, "<params>\n"];
  for (const param of params) {
    out.push("<param>\n");
    dump(param, out);
    out.push("</param>\n");
  }
  out.push("</params>\n</methodCall>\n");
  return out.join("");
}

export type MethodResponse =
  | { readonly kind: "result"; readonly value: unknown }
  | { readonly kind: "fault"; readonly faultCode: unknown; readonly faultString: unknown };

/** Reads a `<methodResponse>` (the answer side of `xmlrpc.client.loads`). */
export function decodeMethodResponse(xml: string): MethodResponse {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlRpcDecodeError("xml.parsers.expat.ExpatError", valid.err.msg);
  const response = elements(parser.parse(xml) as Node[]).find((node) => tagOf(node) === "methodResponse");
  if (!response) throw new XmlRpcDecodeError("xmlrpc.client.ResponseError", "ResponseError()");
  const part = elements(childrenOf(response))[0];
  if (part && tagOf(part) === "fault") {
    const value = elements(childrenOf(part))[0];
    const struct = (value ? decodeValue(value) : {}) as Record<string, unknown>;
    return { kind: "fault", faultCode: struct.faultCode, faultString: struct.faultString };
  }
  const param = part ? elements(childrenOf(part))[0] : undefined;
  const value = param ? elements(childrenOf(param))[0] : undefined;
  if (!value) throw new XmlRpcDecodeError("xmlrpc.client.ResponseError", "ResponseError()");
  return { kind: "result", value: decodeValue(value) };
}
