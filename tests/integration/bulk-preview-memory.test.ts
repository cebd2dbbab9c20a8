import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db, pool } from "../../server/db";
import { previewPatch } from "../../server/exceptions/preview-patch";

/**
 * Issue 15, point 9: the bulk patch preview once loaded every targeted payload at once (up to 10,000 of
 * up to 256 KB). It judges them a page at a time now, keeping counts for all and at most 500 items, so
 * its memory is bounded by the page: a preview over 80 MB of payloads runs in a 128 MB heap.
 */
const run = randomUUID().slice(0, 8);
const sample = JSON.parse(readFileSync("connectors/sap/fixtures/sap-mbgmcr-goods-movement.json", "utf8")) as Record<string, unknown> & {
  E1BP2017_GM_ITEM_CREATE: object[];
};
const patch = [{ op: "replace", path: "/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT", value: "500" }];

function payloadOf(bytes: number) {
  const items: object[] = [];
  for (let i = 0, size = 600; size < bytes; i++) {
    const item = { ...sample.E1BP2017_GM_ITEM_CREATE[0], ENTRY_QNT: String(1 + (i % 900)), ITEM_TEXT: `line ${i}` };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return { ...sample, E1BP2017_GM_ITEM_CREATE: items };
}

/** `n` open DE-HAM goods-movement exceptions of one new failure group, each with `payload`; returns the group's fingerprint. */
async function group(n: number, payload: unknown, prefix: string): Promise<string> {
  const fingerprint = randomUUID().replace(/-/g, "").slice(0, 20);
  await pool().query(
    `WITH ids AS (SELECT p.id AS plant_id, i.id AS interface_id FROM plant p, interface i WHERE p.code = 'DE-HAM' AND i.code = 'GOODS_MOVEMENT'),
     t AS (
       INSERT INTO business_transaction (plant_id, interface_id, message_id, correlation_id, status, first_seen_at, last_event_at, failed_at, attempts, payload, payload_hash)
       SELECT ids.plant_id, ids.interface_id, $1 || g, 'corr-' || $1 || g, 'FAILED', now(), now(), now(), 1, $3::jsonb, md5(g::text) FROM ids, generate_series(1, $2::int) g
       RETURNING id, plant_id, interface_id)
     INSERT INTO exception (plant_id, interface_id, transaction_id, fingerprint, category, severity, status, error_code, error_message, first_seen_at, last_seen_at, sla_due_at)
     SELECT plant_id, interface_id, id, $4, 'BUSINESS', 'HIGH', 'NEW', 'M7-021', 'Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001', now(), now(), now() + interval '4 hours' FROM t`,
    [`${prefix}-${run}-`, n, JSON.stringify(payload), fingerprint],
  );
  return fingerprint;
}

function previewInSmallHeap(filter: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--max-old-space-size=128", "--import", "tsx", "tests/support/preview-child.ts", "operator@andon.local", filter, JSON.stringify(patch)],
      {
        env: { ...process.env, LOG_LEVEL: "error" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
});

afterAll(async () => {
  await pool().query("DELETE FROM business_transaction WHERE message_id LIKE $1", [`%-${run}-%`]);
});

describe("bulk patch preview", () => {
  it("judges 400 payloads of 200 KB (80 MB) in a 128 MB heap: a page at a time, counts for all", async () => {
    const fingerprint = await group(400, payloadOf(200 * 1024), "MEM");
    const r = await previewInSmallHeap(`fingerprint=${fingerprint}&status=open`);
    expect(r.code, r.err.split("\n").slice(0, 5).join("\n")).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ total: 400, counts: { ok: 400 }, items: 400 });
  }, 120_000);

  it("lists at most 500 items, problems first, while counting every one", async () => {
    const operator = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "operator@andon.local" } })).id))!;
    const fingerprint = await group(620, sample, "CNT");
    // 30 of them can no longer be corrected; 20 have no payload at all.
    await pool().query(
      `UPDATE exception SET status = 'RESOLVED', resolved_at = now() WHERE id IN (SELECT id FROM exception WHERE fingerprint = $1 ORDER BY id LIMIT 30)`,
      [fingerprint],
    );
    await pool().query(
      `UPDATE business_transaction SET payload = NULL WHERE id IN (SELECT transaction_id FROM exception WHERE fingerprint = $1 AND status = 'NEW' ORDER BY id LIMIT 20)`,
      [fingerprint],
    );
    const preview = await previewPatch(operator, { selection: { filter: `fingerprint=${fingerprint}&status=all` }, patch });
    expect(preview.total).toBe(620);
    expect(preview.counts).toEqual({ ok: 570, patch_error: 0, schema_invalid: 0, not_correctable: 50, no_change: 0 });
    expect(preview.items).toHaveLength(500);
    expect(preview.items.slice(0, 50).every((i) => i.result === "not_correctable")).toBe(true);
    expect(preview.items.slice(50).every((i) => i.result === "ok")).toBe(true);
    expect(preview).toMatchObject({ selected: 620, complete: true });
    // Past its time budget a preview answers with what it judged so far, and says it is partial.
    const partial = await previewPatch(operator, { selection: { filter: `fingerprint=${fingerprint}&status=all` }, patch }, 0);
    expect(partial).toMatchObject({ total: 0, selected: 620, complete: false, items: [] });
  }, 60_000);
});
