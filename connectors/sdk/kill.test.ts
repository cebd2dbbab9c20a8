import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Journal } from "./journal";
import { makeEvents } from "./test-fixtures/events";
import { okFor, startRecordingServer, waitFor, type RecordingServer } from "./test-fixtures/recording-server";

/**
 * The store-and-forward promise, end to end with a real process kill: a connector journals N events
 * and is SIGKILLed while a slow portal is still receiving them; a new process on the same journal
 * directory delivers every one of them, with the original eventIds.
 */

const CHILD = path.join(import.meta.dirname, "test-fixtures", "kill-child.ts");
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const N = 200;

let dir: string;
let server: RecordingServer;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "andon-kill-"));
  // Slow portal: each events request takes 40 ms to answer (20 requests of 10 ≈ 0.8 s in total).
  server = await startRecordingServer((req) => (req.events.length > 0 ? { ...okFor(req), delayMs: 40 } : undefined));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function startChild(mode: "send" | "send-each" | "drain", prefix: string): { child: ChildProcess; output: () => string; exited: Promise<number | string> } {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode], {
    cwd: ROOT,
    env: { ...process.env, BASE_URL: server.url, JOURNAL_DIR: dir, COUNT: String(N), PREFIX: prefix },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  return { child, output: () => `${stdout}${stderr ? `\n[stderr]\n${stderr}` : ""}`, exited };
}

it("loses no event when the connector is SIGKILLed mid-stream", async () => {
  const prefix = `kill-${Date.now().toString(36)}`;
  const expected = makeEvents(prefix, N).map((e) => e.eventId);

  const first = startChild("send", prefix);
  await waitFor(() => first.output().includes("journaled") && server.eventRequests().length >= 3, "child journaled and sending", 15_000);
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");

  // Really mid-stream: the portal has only part of the events.
  const beforeRestart = new Set(server.receivedEventIds());
  expect(beforeRestart.size).toBeGreaterThan(0);
  expect(beforeRestart.size).toBeLessThan(N);

  const second = startChild("drain", prefix);
  const code = await second.exited;
  expect(code, second.output()).toBe(0);
  expect(JSON.parse(second.output().split("\n")[0] ?? "")).toEqual({ flush: "flushed", pending: 0 });

  const received = new Set(server.receivedEventIds());
  const missing = expected.filter((id) => !received.has(id));
  expect(missing).toEqual([]);
  expect([...received].every((id) => id.startsWith(prefix))).toBe(true);
  // The restart sent only what was left (plus at most the batch in flight at the kill), oldest first.
  const resent = server.receivedEventIds().length - N;
  expect(resent).toBeLessThanOrEqual(10);

  const journal = await Journal.open(dir);
  expect(journal.pending).toBe(0);
  await journal.close();
}, 30_000);

it("delivers every event whose send() had resolved when the connector was killed while appending", async () => {
  const prefix = `each-${Date.now().toString(36)}`;
  const first = startChild("send-each", prefix);
  const durable = () =>
    first
      .output()
      .split("\n")
      .filter((line) => line.startsWith("durable "))
      .map((line) => line.slice("durable ".length));
  await waitFor(() => durable().length >= 30, "child appending", 15_000);
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");
  const promised = durable();

  const second = startChild("drain", prefix);
  expect(await second.exited, second.output()).toBe(0);
  const received = new Set(server.receivedEventIds());
  expect(promised.filter((id) => !received.has(id))).toEqual([]);
  // Nothing was invented: whatever arrived is one of the events the child created, in order.
  const all = makeEvents(prefix, N).map((e) => e.eventId);
  const arrived = all.filter((id) => received.has(id));
  expect(arrived).toEqual(all.slice(0, arrived.length));

  const journal = await Journal.open(dir);
  expect(journal.pending).toBe(0);
  await journal.close();
}, 30_000);
