import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { closeDb, db, pool } from "../../server/db";
import { listExceptionGroups, parseQueueFilter } from "../../server/exceptions/queue";

/**
 * Issue 15, point 9: the group view aggregated every message text of a group (array_agg ordered by
 * time, to keep the first): its memory and temp files grew with the group's text. It now counts in SQL
 * and reads one sample per group shown. Proven under a tight PostgreSQL budget (64 kB work_mem, 2 MB of
 * temp files): a group of 3,000 messages of 1,600 characters (4.8 MB of text) fits in it.
 */
const run = randomUUID().slice(0, 8);
const fingerprint = randomUUID().replace(/-/g, "").slice(0, 20);

async function insertGroup(plant: string, n: number, minutesAgo: number, message: (g: string) => string) {
  await pool().query(
    `WITH ids AS (SELECT p.id AS plant_id, i.id AS interface_id FROM plant p, interface i WHERE p.code = $1 AND i.code = 'GOODS_MOVEMENT'),
     t AS (
       INSERT INTO business_transaction (plant_id, interface_id, message_id, correlation_id, status, first_seen_at, last_event_at, failed_at, attempts)
       SELECT ids.plant_id, ids.interface_id, $2 || g, 'corr-' || $2 || g, 'FAILED', now(), now(), now(), 1 FROM ids, generate_series(1, $3::int) g
       RETURNING id, plant_id, interface_id, message_id)
     INSERT INTO exception (plant_id, interface_id, transaction_id, fingerprint, category, severity, status, error_code, error_message, first_seen_at, last_seen_at, sla_due_at)
     SELECT plant_id, interface_id, id, $4, 'BUSINESS', 'HIGH', 'NEW', 'M7-021', replace($5, '#', message_id),
            now() - make_interval(mins => $6), now() - make_interval(mins => $6), now() + interval '4 hours' FROM t`,
    [plant, `GV-${plant}-${run}-`, n, fingerprint, message("#"), minutesAgo],
  );
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  // 1,600 characters: stored inline, as most messages are (longer ones are compressed or moved out of line).
  const filler = " (stock was moved between storage locations during the count, see the goods movement history)".repeat(18);
  await insertGroup("DE-HAM", 3000, 90, (id) => `Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001 for ${id}${filler}`.slice(0, 1600));
  await insertGroup("PL-WRO", 1, 5, (id) => `Deficit of SL Unrestricted-use 3 PC : RM-0815 2000 0001 for ${id} (latest)`);
});

afterAll(async () => {
  await pool().query("DELETE FROM business_transaction WHERE message_id LIKE $1", [`GV-%-${run}-%`]);
});

describe("group view", () => {
  it("counts a group of 4.8 MB of message text within 64 kB of work_mem and 2 MB of temp files, showing its latest message", async () => {
    const auditor = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "auditor@andon.local" } })).id))!;
    // A fresh pool whose connections start with the tight budget (startup options); closed after, so
    // the next pool is a normal one again.
    await closeDb();
    const tight = pool() as unknown as { options: { options: string } };
    tight.options.options = `${tight.options.options} -c work_mem=64kB -c temp_file_limit=2MB`;
    try {
      expect((await pool().query<{ temp_file_limit: string }>("SHOW temp_file_limit")).rows[0]!.temp_file_limit).toBe("2MB");
      const groups = await listExceptionGroups(auditor, parseQueueFilter({ fingerprint }));
      expect(groups).toHaveLength(1);
      expect(groups[0]).toMatchObject({ fingerprint, count: 3001, plants: ["DE-HAM", "PL-WRO"], lastHour: 1, previousHour: 3000 });
      expect(groups[0]!.sampleMessage).toMatch(/^Deficit of SL Unrestricted-use 3 PC : RM-0815 2000 0001 for GV-PL-WRO-.*\(latest\)$/);
    } finally {
      await closeDb();
    }
  });

  it("shows at most 300 characters of the sample", async () => {
    const auditor = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "auditor@andon.local" } })).id))!;
    const groups = await listExceptionGroups(auditor, parseQueueFilter({ fingerprint, plant: "DE-HAM" }));
    expect(groups[0]).toMatchObject({ count: 3000, plants: ["DE-HAM"] });
    expect(groups[0]!.sampleMessage).toHaveLength(300);
  });
});
