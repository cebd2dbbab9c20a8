import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { db } from "../db";
import { hashConnectorKey, issueConnectorKey } from "./keys";

export type DemoConnectorKeys = Record<string, { key: string; plantCode: string; system: string; name: string }>;

/**
 * Demo only (ANDON_DEMO): every connector gets a key, kept in plain text under the data directory so
 * the plant simulator can use them. Keys in the file that no longer match are re-issued.
 */
export async function ensureDemoConnectorKeys(dataDir: string): Promise<{ file: string; keys: DemoConnectorKeys }> {
  const file = path.join(dataDir, "demo-connector-keys.json");
  const existing: DemoConnectorKeys = existsSync(file) ? (JSON.parse(await readFile(file, "utf8")) as DemoConnectorKeys) : {};
  const connectors = await db().connector.findMany({ include: { plant: { select: { code: true } }, system: { select: { kind: true } } } });
  const keys: DemoConnectorKeys = {};
  for (const c of connectors) {
    const known = existing[c.id];
    const key =
      known && c.apiKeyHash === hashConnectorKey(known.key)
        ? known.key
        : await issueConnectorKey({ connectorId: c.id, actor: { type: "system", label: "andon demo setup" }, reason: "demo_setup" });
    keys[c.id] = { key, plantCode: c.plant.code, system: c.system.kind, name: c.name };
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return { file, keys };
}
