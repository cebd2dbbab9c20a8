/**
 * A connector process for the e2e tests, using the real SDK against the real portal.
 *   send  — journals COUNT goods-movement events for DE-HAM (every 10th failed), prints "journaled",
 *           then flushes; the kill test SIGKILLs it mid-stream.
 *   drain — sends nothing new: flushes what the journal still holds, prints {"pending": n}.
 * Environment: BASE_URL, API_KEY, JOURNAL_DIR, COUNT, PREFIX.
 */
import { createIngestClient } from "../../connectors/sdk";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const client = await createIngestClient({
  baseUrl: env("BASE_URL"),
  apiKey: env("API_KEY"),
  journalDir: env("JOURNAL_DIR"),
  connectorVersion: "e2e-1.0",
  batchSize: 20,
  flushIntervalMs: 20,
  heartbeatIntervalMs: 0,
  retry: { baseDelayMs: 20, maxDelayMs: 200 },
  onError: (error) => process.stderr.write(`onError: ${error.message}\n`),
});

if (process.argv[2] === "send") {
  const prefix = env("PREFIX");
  const count = Number(env("COUNT"));
  const events = Array.from({ length: count }, (_, i) => {
    const failed = i % 10 === 0;
    return {
      eventId: `${prefix}-${i}`,
      correlationId: `${prefix}-corr-${i}`,
      messageId: `${prefix}-msg-${i}`,
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO" as const, target: "SAP_ERP" as const },
      businessKey: `WH/OUT/${String(i).padStart(5, "0")}`,
      occurredAt: new Date().toISOString(),
      outcome: failed ? ("failed" as const) : ("delivered" as const),
      latencyMs: 200 + (i % 50) * 10,
      attempt: 1,
      ...(failed
        ? {
            error: { category: "business" as const, code: "M7-021", message: `Deficit of SL Unrestricted-use ${i} PC : RM-4711 1000 0001` },
            payload: { ENTRY_QNT: String(500 + i) },
          }
        : {}),
    };
  });
  for (let i = 0; i < events.length; i += 50) await client.send(events.slice(i, i + 50));
  process.stdout.write("journaled\n");
  await client.flush();
  process.stdout.write("flushed\n");
  await client.close();
} else if (process.argv[2] === "drain") {
  await client.flush();
  const { pending } = await client.close();
  process.stdout.write(`${JSON.stringify({ pending })}\n`);
} else {
  throw new Error(`unknown mode ${String(process.argv[2])}`);
}
