/**
 * Audit append throughput and latency under concurrent writers.
 * Every audited change serialises on the chain lock from its append until commit, so this is the
 * ceiling for audited writes per second. Prints its figures; not a test.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:audit -- [events=2000] [writers=1,8,32]
 */
import { createFreshDatabase } from "../tests/support/database";
import { type Figure, report } from "./support/results";

const total = Number(process.argv[2] ?? 2000);
const writerCounts = (process.argv[3] ?? "1,8,32").split(",").map(Number);

async function main() {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (a fresh database is created on it and dropped after)");
  const fresh = await createFreshDatabase(base, "andon_bench");
  process.env.DATABASE_URL = fresh.url;
  const { record, verifyChain } = await import("../server/audit");
  const { closeDb } = await import("../server/db");
  try {
    console.log(`audit append: ${total} events per run, PostgreSQL at ${new URL(base).host}`);
    console.log("writers | events/s | p50 ms | p95 ms | p99 ms");
    const figures: Figure[] = [];
    for (const writers of writerCounts) {
      const latencies: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (next < total) {
            next++;
            const t0 = performance.now();
            await record({ type: "auth.sign_in", actor: { type: "user", id: "bench", label: "bench" }, data: { ip: "10.0.0.1" } });
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2);
      console.log(
        `${String(writers).padStart(7)} | ${(latencies.length / seconds).toFixed(0).padStart(8)} | ${q(0.5).padStart(6)} | ${q(0.95).padStart(6)} | ${q(0.99).padStart(6)}`,
      );
      figures.push({ name: `${writers} writers: appends`, value: Math.round(latencies.length / seconds), unit: "events/s" });
      figures.push({ name: `${writers} writers: append p95`, value: Number(q(0.95)), unit: "ms" });
    }
    const t0 = performance.now();
    const v = await verifyChain();
    console.log(`verify: ${v.checked} events in ${((performance.now() - t0) / 1000).toFixed(2)} s, ok=${v.ok}`);
    if (!v.ok) throw new Error("the chain the benchmark appended does not verify");
    report({ bench: "audit-append", params: `${total.toLocaleString("en")} events per run, writers ${writerCounts.join(", ")}`, figures });
  } finally {
    await closeDb();
    await fresh.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
