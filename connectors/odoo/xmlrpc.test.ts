/**
 * XML-RPC (`/xmlrpc/2/common|object`, deprecated since Odoo 19, still served): the wire format
 * byte for byte, fault codes, and an independent client: npm `xmlrpc` (baalexander/node-xmlrpc, pinned).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { decodeMethodResponse, encodeMethodCall } from "./emulator/xmlrpc-codec";

let emulator: OdooEmulator;

beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", password: "pw", now: () => new Date("2026-11-24T05:30:00Z") });
});
beforeEach(() => emulator.state.reset());
afterAll(() => emulator.close());

async function postXml(path: string, body: string, method = "POST"): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${emulator.url}${path}`, { method, headers: { "content-type": "text/xml" }, ...(method === "POST" ? { body } : {}) });
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
}
const call = (service: string, method: string, params: unknown[], legacy = false) =>
  postXml(`/xmlrpc/${legacy ? "" : "2/"}${service}`, encodeMethodCall(method, params));

describe("wire format", () => {
  it("common.version: Python's marshalling, in Odoo's methodResponse", async () => {
    const answer = await call("common", "version", []);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/xml/);
    expect(answer.text).toBe(
      '<?xml version="1.0"?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n' +
        "<member>\n<name>server_version</name>\n<value><string>19.0</string></value>\n</member>\n" +
        "<member>\n<name>server_version_info</name>\n<value><array><data>\n<value><int>19</int></value>\n<value><int>0</int></value>\n<value><int>0</int></value>\n" +
        "<value><string>final</string></value>\n<value><int>0</int></value>\n<value><string></string></value>\n</data></array></value>\n</member>\n" +
        "<member>\n<name>server_serie</name>\n<value><string>19.0</string></value>\n</member>\n" +
        "<member>\n<name>protocol_version</name>\n<value><int>1</int></value>\n</member>\n" +
        "</struct></value>\n</param>\n</params>\n\n</methodResponse>\n",
    );
  });

  it("common.authenticate answers the uid, or False; object.execute_kw runs the ORM", async () => {
    expect(decodeMethodResponse((await call("common", "authenticate", ["plant_mty", "admin", "pw", {}])).text)).toEqual({ kind: "result", value: 2 });
    expect(decodeMethodResponse((await call("common", "authenticate", ["plant_mty", "admin", "no", {}])).text)).toEqual({ kind: "result", value: false });
    const read = await call("object", "execute_kw", [
      "plant_mty",
      2,
      "pw",
      "mrp.production",
      "read",
      [[9311]],
      { fields: ["name", "product_id", "product_qty"] },
    ]);
    expect(decodeMethodResponse(read.text)).toEqual({
      kind: "result",
      value: [{ id: 9311, name: "WH/MO/00453", product_id: [4211, "[GH-200] Gearbox Housing GH-200"], product_qty: 50 }],
    });
  });

  it("faults: 2 UserError/ValidationError/MissingError, 3 AccessDenied, 4 AccessError, 1 traceback", async () => {
    const fault = async (params: unknown[]) => decodeMethodResponse((await call("object", "execute_kw", params)).text);
    expect(await fault(["plant_mty", 2, "pw", "mrp.production", "create", [{ product_id: 4211, product_qty: 0 }]])).toEqual({
      kind: "fault",
      faultCode: 2,
      faultString: "The quantity to produce must be positive!",
    });
    expect(await fault(["plant_mty", 2, "wrong", "product.product", "search_count", [[]]])).toEqual({
      kind: "fault",
      faultCode: 3,
      faultString: "Access Denied",
    });
    expect(await fault(["plant_mty", 2, "pw", "product.product", "_private", [[1]]])).toMatchObject({ kind: "fault", faultCode: 4 });
    expect(await fault(["plant_mty", 2, "pw", "product.product", "create", [{ name: "x", colour: "red" }]])).toMatchObject({
      kind: "fault",
      faultCode: 1,
      faultString: expect.stringMatching(/^Traceback \(most recent call last\):\n[\s\S]*\nValueError: Invalid field 'colour' on model 'product\.product'\n$/),
    });
    const raw = await call("object", "execute_kw", ["plant_mty", 2, "pw", "mrp.production", "create", [{ product_id: 4211, product_qty: 0 }]]);
    expect(raw.text).toBe(
      '<?xml version="1.0"?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>2</int></value>\n</member>\n' +
        "<member>\n<name>faultString</name>\n<value><string>The quantity to produce must be positive!</string></value>\n</member>\n</struct></value>\n</fault>\n\n</methodResponse>\n",
    );
  });

  it("the historical /xmlrpc/<service> answers faultCode strings", async () => {
    const answer = await call("object", "execute_kw", ["plant_mty", 2, "pw", "mrp.production", "create", [{ product_id: 4212, product_qty: 1 }]], true);
    expect(decodeMethodResponse(answer.text)).toMatchObject({
      kind: "fault",
      faultCode: expect.stringMatching(/^warning -- UserError\n\nThere is no Bill of Material/),
      faultString: "",
    });
    const denied = await call("object", "execute_kw", ["plant_mty", 2, "bad", "product.product", "search_count", [[]]], true);
    expect(decodeMethodResponse(denied.text)).toEqual({ kind: "fault", faultCode: "AccessDenied", faultString: "Access Denied" });
  });

  it("refuses GET (405), and answers malformed XML with fault 1", async () => {
    expect((await postXml("/xmlrpc/2/common", "", "GET")).status).toBe(405);
    const broken = await postXml("/xmlrpc/2/common", "<methodCall><methodName>version</methodName>");
    expect(decodeMethodResponse(broken.text)).toMatchObject({ kind: "fault", faultCode: 1, faultString: expect.stringContaining("ExpatError") });
  });

  it("applies the idempotency key once over XML-RPC too", async () => {
    const params = [
      "plant_mty",
      2,
      "pw",
      "mrp.production",
      "create",
      [{ product_id: 4211, product_qty: 4, origin: "XR-K" }],
      { context: { andon_idempotency_key: "xr-1" } },
    ];
    const [a, b] = await Promise.all([call("object", "execute_kw", params), call("object", "execute_kw", params)]);
    expect(decodeMethodResponse(a.text)).toEqual(decodeMethodResponse(b.text));
    expect(emulator.idempotency.applied("xr-1")).toBe(1);
  });
});

// ---- Python's xmlrpc.client ------------------------------------------------------------------------

// ---- npm xmlrpc (baalexander/node-xmlrpc), when installed ---------------------------------------------

interface XmlRpcModule {
  createClient(options: { host: string; port: number; path: string }): {
    methodCall(
      method: string,
      params: unknown[],
      callback: (error: (Error & { faultCode?: unknown; faultString?: unknown }) | null, value: unknown) => void,
    ): void;
  };
}
// No type declarations ship with it: the shape used here is declared above.
const npmXmlRpc = (await import(/* @vite-ignore */ "xmlrpc" as string)).default as XmlRpcModule;

describe("independent client: npm xmlrpc (baalexander/node-xmlrpc)", () => {
  const methodCall = (path: string, method: string, params: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const client = (npmXmlRpc as XmlRpcModule).createClient({ host: "127.0.0.1", port: emulator.port, path });
      client.methodCall(method, params, (error, value) => (error ? reject(error) : resolve(value)));
    });

  it("reads version, authenticates, creates, and gets faults with code and string", async () => {
    await expect(methodCall("/xmlrpc/2/common", "version", [])).resolves.toMatchObject({ server_version: "19.0" });
    await expect(methodCall("/xmlrpc/2/common", "authenticate", ["plant_mty", "admin", "pw", {}])).resolves.toBe(2);
    await expect(
      methodCall("/xmlrpc/2/object", "execute_kw", [
        "plant_mty",
        2,
        "pw",
        "mrp.production",
        "create",
        [{ product_id: 4211, product_qty: 2, origin: "NPM-XMLRPC" }],
      ]),
    ).resolves.toBe(9312);
    await expect(
      methodCall("/xmlrpc/2/object", "execute_kw", ["plant_mty", 2, "pw", "mrp.production", "create", [{ product_id: 4211, product_qty: 0 }]]),
    ).rejects.toMatchObject({ faultCode: 2, faultString: "The quantity to produce must be positive!" });
  });
});
