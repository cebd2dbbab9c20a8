/**
 * Child process of the kill test (run with `node --import tsx`). Modes:
 *   send  — journals COUNT events (in chunks), prints "journaled", then waits for delivery;
 *           the test SIGKILLs it somewhere in the middle of that.
 *   send-each — sends the events one by one, printing "durable <eventId>" as each send() resolves
 *           (stdout to a pipe is synchronous on Linux, so what was printed had resolved); the test
 *           SIGKILLs it while it is still appending.
 *   drain — sends nothing new: opens the same journal, flushes, closes, prints the result as JSON.
 * Environment: BASE_URL, JOURNAL_DIR, COUNT, PREFIX.
 */
import { createIngestClient } from "../client";
import { makeEvents } from "./events";

const mode = process.argv[2];
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const client = await createIngestClient({
  baseUrl: env("BASE_URL"),
  apiKey: "test-key",
  journalDir: env("JOURNAL_DIR"),
  connectorVersion: "kill-test",
  batchSize: 10,
  flushIntervalMs: 20,
  heartbeatIntervalMs: 0,
  requestTimeoutMs: 5000,
  retry: { baseDelayMs: 10, maxDelayMs: 50 },
  onError: (error) => process.stderr.write(`onError: ${error.message}\n`),
});

if (mode === "send") {
  const events = makeEvents(env("PREFIX"), Number(env("COUNT")));
  for (let i = 0; i < events.length; i += 25) await client.send(events.slice(i, i + 25));
  process.stdout.write("journaled\n");
  await client.flush();
  process.stdout.write("flushed\n");
  await client.close();
} else if (mode === "send-each") {
  for (const event of makeEvents(env("PREFIX"), Number(env("COUNT")))) {
    await client.send(event);
    process.stdout.write(`durable ${event.eventId}\n`);
  }
  await client.flush();
  await client.close();
} else if (mode === "drain") {
  const flushed = await client.flush();
  const closed = await client.close();
  process.stdout.write(`${JSON.stringify({ flush: flushed.status, pending: closed.pending })}\n`);
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
