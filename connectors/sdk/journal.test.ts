import { spawnSync } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IngestEventInput } from "../../server/ingest/schema";
import { Journal, JournalFullError } from "./journal";
import { JournalLockedError, LOCK_FILE } from "./journal-lock";
import { makeEvent, makeEvents } from "./test-fixtures/events";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "andon-journal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (options?: Parameters<typeof Journal.open>[1]) => Journal.open<IngestEventInput>(dir, options);
const ids = (entries: { value: IngestEventInput }[]) => entries.map((e) => e.value.eventId);
const segmentFiles = async () => (await readdir(dir)).filter((n) => n.startsWith("seg-")).sort();

/** What a SIGKILL leaves behind: the files as they are, and a lock naming a pid that is gone. */
async function simulateHolderDeath(): Promise<void> {
  const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
  const lockPath = path.join(dir, LOCK_FILE);
  const lock = JSON.parse(await readFile(lockPath, "utf8")) as Record<string, unknown>;
  await writeFile(lockPath, JSON.stringify({ ...lock, pid: deadPid }));
}

describe("journal", () => {
  it("appends, peeks oldest first, acknowledges and reports the backlog", async () => {
    let now = 1_000_000;
    const journal = await open({ now: () => now });
    expect(journal.pending).toBe(0);
    expect(journal.oldestPendingAgeMs()).toBeNull();

    const first = await journal.append(makeEvents("a", 3));
    now += 5000;
    await journal.append(makeEvents("b", 2));
    now += 1500;
    expect(first).toEqual([1, 2, 3]);
    expect(journal.pending).toBe(5);
    expect(journal.oldestPendingAgeMs()).toBe(6500);

    const head = await journal.peek(4);
    expect(ids(head)).toEqual(["a-0000", "a-0001", "a-0002", "b-0000"]);

    await journal.ack(head.slice(0, 3).map((e) => e.seq));
    expect(journal.pending).toBe(2);
    expect(journal.oldestPendingAgeMs()).toBe(1500);
    expect(ids(await journal.peek(10))).toEqual(["b-0000", "b-0001"]);
    await journal.ack([999, 1]); // unknown and already acknowledged seqs are ignored
    expect(journal.pending).toBe(2);
    await journal.close();
  });

  it("returns values exactly as appended", async () => {
    const journal = await open();
    const event = makeEvent("exact", {
      outcome: "failed",
      error: { category: "business", code: "MAT_LOCKED", message: "Matériel bloqué — «lot» 🚫", details: { plant: "1000" } },
      payload: { lines: [{ qty: 1.5, uom: "KG" }], nested: { empty: [], nil: null } },
    });
    await journal.append([event]);
    const [entry] = await journal.peek(1);
    expect(entry?.value).toEqual(event);
    await journal.close();
  });

  it("is on disk when append resolves", async () => {
    const journal = await open();
    await journal.append([makeEvent("durable-1")]);
    const [segment] = await segmentFiles();
    expect(await readFile(path.join(dir, segment ?? "missing"), "utf8")).toContain('"eventId":"durable-1"');
    await journal.close();
  });

  it("survives a crash: the same pending events, same ids, same order", async () => {
    const crashed = await open();
    await crashed.append(makeEvents("c", 5));
    await crashed.ack([1, 2]);
    // No close(): the instance is abandoned with its files open and its lock in place.

    await expect(open()).rejects.toThrow(/already open in this process/);
    await simulateHolderDeath();

    const reopened = await open();
    expect(reopened.recovery).toEqual({ recovered: 3, tornTails: 0, corruptLines: 0 });
    expect(reopened.pending).toBe(3);
    expect(ids(await reopened.peek(10))).toEqual(["c-0002", "c-0003", "c-0004"]);
    // New appends continue after the recovered ones, in a new segment.
    expect(await reopened.append([makeEvent("c-new")])).toEqual([6]);
    expect(ids(await reopened.peek(10))).toEqual(["c-0002", "c-0003", "c-0004", "c-new"]);

    // The superseded instance can still be closed (freeing its file handles) without removing the
    // lock of the instance that took over.
    await crashed.close();
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), "utf8"))).toMatchObject({ pid: process.pid });
    await expect(open()).rejects.toThrow(/already open in this process/);
    await reopened.close();
  });

  it("tolerates a torn last line and never writes after it", async () => {
    const crashed = await open();
    await crashed.append(makeEvents("t", 3));
    const [segment] = await segmentFiles();
    // A write cut short by the crash: no newline, incomplete JSON.
    await appendFile(path.join(dir, segment ?? "missing"), '1234abcd {"s":4,"t":1,"e":{"eventId":"t-torn","corr');
    await simulateHolderDeath();

    const reopened = await open();
    expect(reopened.recovery).toMatchObject({ recovered: 3, tornTails: 1 });
    expect(ids(await reopened.peek(10))).toEqual(["t-0000", "t-0001", "t-0002"]);
    await reopened.append([makeEvent("t-after")]);
    await reopened.close();

    const again = await open();
    expect(ids(await again.peek(10))).toEqual(["t-0000", "t-0001", "t-0002", "t-after"]);
    expect(again.recovery.tornTails).toBe(1);
    await again.close();
    await crashed.close();
  });

  it("skips a corrupted line (bad checksum) and keeps the rest", async () => {
    const journal = await open();
    await journal.append(makeEvents("k", 3));
    await journal.close();
    const [segment] = await segmentFiles();
    const file = path.join(dir, segment ?? "missing");
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[1] = (lines[1] ?? "").replace("k-0001", "k-9999"); // bit rot: the checksum no longer matches
    await writeFile(file, lines.join("\n"));

    const reopened = await open();
    expect(reopened.recovery).toMatchObject({ recovered: 2, corruptLines: 1, tornTails: 0 });
    expect(ids(await reopened.peek(10))).toEqual(["k-0000", "k-0002"]);
    await reopened.close();
  });

  it("compacts: fully acknowledged segments and their ack files are deleted", async () => {
    const journal = await open({ maxSegmentBytes: 1200 });
    for (const event of makeEvents("s", 20)) await journal.append([event]);
    const before = (await segmentFiles()).filter((n) => n.endsWith(".log"));
    expect(before.length).toBeGreaterThan(4);

    const head = await journal.peek(7);
    await journal.ack(head.map((e) => e.seq));
    const middle = await segmentFiles();
    expect(middle.filter((n) => n.endsWith(".log")).length).toBeLessThan(before.length);
    expect(middle).not.toContain(before[0]);
    await journal.close();

    // The partial acknowledgements are replayed on open.
    const reopened = await open({ maxSegmentBytes: 1200 });
    expect(reopened.pending).toBe(13);
    expect(ids(await reopened.peek(1))).toEqual(["s-0007"]);
    const rest = await reopened.peek(100);
    await reopened.ack(rest.map((e) => e.seq));
    expect(reopened.pending).toBe(0);
    expect(await segmentFiles()).toEqual([]);
    await reopened.close();
    expect(await readdir(dir)).toEqual([]); // lock released too
  });

  it("limits peek by bytes but always returns at least one record", async () => {
    const journal = await open();
    await journal.append(makeEvents("p", 5));
    const one = await journal.peek(5, 10);
    expect(one).toHaveLength(1);
    const some = await journal.peek(5, (one[0]?.bytes ?? 0) * 3 + 1);
    expect(some).toHaveLength(3);
    await journal.close();
  });

  it("group-commits concurrent appends in order", async () => {
    const journal = await open();
    const seqs = await Promise.all(makeEvents("g", 50).map((event) => journal.append([event])));
    expect(seqs.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(ids(await journal.peek(50))).toEqual(makeEvents("g", 50).map((e) => e.eventId));
    await journal.close();
  });

  it("refuses appends beyond maxPendingBytes instead of growing without bound", async () => {
    const journal = await open({ maxPendingBytes: 2000 });
    await journal.append(makeEvents("f", 3));
    await expect(journal.append(makeEvents("f2", 10))).rejects.toBeInstanceOf(JournalFullError);
    expect(journal.pending).toBe(3);
    await journal.close();
  });

  it("fails clearly when another live process holds the lock, takes over a dead one's", async () => {
    await mkdir(dir, { recursive: true });
    const lockPath = path.join(dir, LOCK_FILE);
    const alive = { pid: process.ppid, hostname: os.hostname(), token: "other", acquiredAt: new Date().toISOString() };
    await writeFile(lockPath, JSON.stringify(alive));
    const error = await open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalLockedError);
    expect((error as Error).message).toContain(`locked by running process ${process.ppid}`);

    await simulateHolderDeath();
    const journal = await open();
    expect(JSON.parse(await readFile(lockPath, "utf8"))).toMatchObject({ pid: process.pid });
    await journal.close();
  });

  it("releases the lock on close so the directory can be reopened", async () => {
    const first = await open();
    await first.append([makeEvent("r-1")]);
    await first.close();
    await expect(first.append([makeEvent("r-2")])).rejects.toThrow(/closed/);
    const second = await open();
    expect(second.pending).toBe(1);
    await second.close();
  });
});
