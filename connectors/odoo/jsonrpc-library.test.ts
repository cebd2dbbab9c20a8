/**
 * An independent JSON-RPC client against the emulator's `/jsonrpc`: `@fernandoslim/odoo-jsonrpc`
 * (API-key mode: common.authenticate + object.execute_kw). A pinned devDependency.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";

interface OdooJsonRpc {
  connect(config: { baseUrl: string; port: number; db: string; username: string; apiKey: string }): Promise<{ uid: number | false }>;
  searchRead<T>(model: string, domain: unknown[], fields: string[], opts?: { limit?: number; order?: string }): Promise<T[]>;
  create(model: string, values: Record<string, unknown>): Promise<number>;
  update(model: string, id: number, values: Record<string, unknown>): Promise<boolean>;
  action(model: string, action: string, ids: number[]): Promise<boolean>;
}
type OdooJsonRpcClass = new () => OdooJsonRpc;

const library = (await import("@fernandoslim/odoo-jsonrpc")).default as unknown as OdooJsonRpcClass | { default: OdooJsonRpcClass };
const OdooJSONRpc = "default" in library ? library.default : library;

let emulator: OdooEmulator;
beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", apiKey: "lib-key" });
});
beforeEach(() => emulator.state.reset());
afterAll(() => emulator.close());

describe("independent client: @fernandoslim/odoo-jsonrpc over /jsonrpc", () => {
  const connect = async (apiKey = "lib-key") => {
    const odoo = new (OdooJSONRpc as OdooJsonRpcClass)();
    const url = new URL(emulator.url);
    const auth = await odoo.connect({ baseUrl: `${url.protocol}//${url.hostname}`, port: emulator.port, db: "plant_mty", username: "admin", apiKey });
    return { odoo, auth };
  };

  it("authenticates with the API key, reads, creates, writes and runs an action", async () => {
    const { odoo, auth } = await connect();
    expect(auth).toEqual({ uid: 2 });
    expect(await odoo.searchRead("product.product", [["default_code", "=", "GH-200"]], ["name"])).toEqual([{ id: 4211, name: "Gearbox Housing GH-200" }]);
    const id = await odoo.create("mrp.production", { product_id: 4211, product_qty: 3, origin: "LIB-1" });
    expect(id).toBe(9312);
    expect(await odoo.update("mrp.production", id, { origin: "LIB-2" })).toBe(true);
    expect(await odoo.action("mrp.production", "action_confirm", [id])).toBe(true);
    expect(emulator.state.record("mrp.production", id)).toMatchObject({ origin: "LIB-2", state: "confirmed" });
  });

  it("surfaces Odoo's error message (error.data.message)", async () => {
    const { odoo } = await connect();
    await expect(odoo.create("mrp.production", { product_id: 4211, product_qty: 0 })).rejects.toThrow("The quantity to produce must be positive!");
    await expect(odoo.create("mrp.production", { product_id: 4212, product_qty: 1 })).rejects.toThrow(
      /There is no Bill of Material of type manufacture or kit found/,
    );
  });

  it("a wrong key authenticates to uid false; after a rotation the next call fails with Access Denied", async () => {
    expect((await connect("old-key")).auth).toEqual({ uid: false });
    const { odoo } = await connect();
    emulator.rotateCredentials({ apiKey: "rotated" });
    try {
      await expect(odoo.searchRead("product.product", [], ["name"])).rejects.toThrow("Access Denied");
    } finally {
      emulator.rotateCredentials({ apiKey: "lib-key" });
    }
  });
});
