import { mkdir, open, readdir, readFile, stat, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { acquireLock, isErrno, LOCK_FILE, type JournalLock } from "./journal-lock";

/**
 * On-disk store-and-forward journal.
 *
 * Layout of a journal directory:
 *   journal.lock                 owner pid/host/token (see journal-lock.ts)
 *   seg-000000000007.log         records, one line each:  <crc32 hex8> <json>\n
 *                                json = {"s":<seq>,"t":<appendedAt ms>,"e":<value>}
 *   seg-000000000007.ack         acknowledgements of that segment, one line each:
 *                                <crc32 hex8> [[fromSeq,toSeq],...]\n
 *
 * Guarantees:
 * - append() resolves only after the records are written and fdatasync'd (and, for a new segment,
 *   after the directory entry is fsync'd): a record whose append resolved survives SIGKILL and power
 *   loss (modulo disks that lie about flushes; on macOS fsync is not a full barrier).
 * - Records keep their value byte for byte, so an event comes back with the same eventId.
 * - A crash mid-write leaves at most a torn last line in the segment that was being written; it is
 *   detected (no newline / bad checksum), ignored, and the journal continues in a fresh segment
 *   (files are never appended to after a restart). The torn record was never acknowledged to the
 *   caller, so nothing promised is lost.
 * - Acknowledgements are fsync'd too, but they only prevent re-sending: losing one (crash between
 *   the server's answer and the ack write) means the event is sent again with the same id, which the
 *   portal absorbs as a duplicate. That is why the contract is at-least-once, never at-most-once.
 * - Compaction: a segment whose records are all acknowledged is deleted together with its ack file.
 *   Consumers read from the head, so segments drain in order and the disk holds roughly the backlog
 *   plus one partly acknowledged segment. Segments rotate at `maxSegmentBytes`.
 */

export interface JournalOptions {
  /** Start a new segment once the current one reaches this size. Default 8 MiB. */
  maxSegmentBytes?: number;
  /** append() throws JournalFullError rather than exceed this backlog. Default 1 GiB. */
  maxPendingBytes?: number;
  /** Clock, for appendedAt and ages. */
  now?: () => number;
}

export interface JournalEntry<T> {
  seq: number;
  /** When the record was journaled (ms since epoch), not when the event occurred. */
  appendedAt: number;
  value: T;
  /** Size of the record line on disk: an upper bound of the value's JSON size. */
  bytes: number;
}

/** What open() found on disk. */
export interface JournalRecovery {
  /** Pending records loaded from previous runs. */
  recovered: number;
  /** Segments that ended in an incomplete line (a crash during a write). */
  tornTails: number;
  /** Complete lines that failed their checksum or did not parse (disk corruption): skipped. */
  corruptLines: number;
}

export class JournalFullError extends Error {
  constructor(pendingBytes: number, limit: number) {
    super(`journal is full: ${pendingBytes} bytes pending, limit ${limit}; the portal has not acknowledged events for too long`);
    this.name = "JournalFullError";
  }
}

export class JournalClosedError extends Error {
  constructor() {
    super("journal is closed");
    this.name = "JournalClosedError";
  }
}

interface Segment {
  id: number;
  logPath: string;
  ackPath: string;
  /** Indexed records not yet acknowledged. */
  pending: number;
  size: number;
}

interface IndexEntry {
  seq: number;
  appendedAt: number;
  segment: Segment;
  /** Byte offset of the line in the segment file and its length without the newline. */
  offset: number;
  length: number;
}

interface QueuedAppend {
  json: string[];
  bytes: number;
  resolve: (seqs: number[]) => void;
  reject: (error: unknown) => void;
}

const SEGMENT_FILE = /^seg-(\d{12})\.(log|ack)$/;
const NEWLINE = 0x0a;
const DEFAULTS = { maxSegmentBytes: 8 * 1024 * 1024, maxPendingBytes: 1024 * 1024 * 1024 };

export class Journal<T> {
  /** Pending records in seq order (Map keeps insertion order, and seqs are inserted ascending). */
  private readonly index = new Map<number, IndexEntry>();
  private readonly segments = new Map<number, Segment>();
  private active: { segment: Segment; handle: FileHandle } | null = null;
  private nextSeq: number;
  private nextSegmentId: number;
  private bytesPending = 0;
  private bytesQueued = 0;
  /** Every mutation runs on this chain: one writer, in order. */
  private chain: Promise<unknown> = Promise.resolve();
  private appendQueue: QueuedAppend[] = [];
  private appendDrainScheduled = false;
  private closed = false;
  private readonly maxSegmentBytes: number;
  private readonly maxPendingBytes: number;
  private readonly now: () => number;

  private constructor(
    readonly dir: string,
    private readonly lock: JournalLock,
    options: JournalOptions,
    readonly recovery: JournalRecovery,
    loaded: LoadedState,
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? DEFAULTS.maxSegmentBytes;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULTS.maxPendingBytes;
    this.now = options.now ?? Date.now;
    this.nextSeq = loaded.maxSeq + 1;
    this.nextSegmentId = loaded.maxSegmentId + 1;
    for (const segment of loaded.segments) this.segments.set(segment.id, segment);
    for (const entry of loaded.entries) {
      this.index.set(entry.seq, entry);
      this.bytesPending += entry.length + 1;
    }
  }

  /**
   * Opens (creating if needed) the journal in `dir`, taking its lock. Throws JournalLockedError when
   * another live process holds it; a lock left by a dead process is taken over.
   */
  static async open<T>(dir: string, options: JournalOptions = {}): Promise<Journal<T>> {
    const absolute = path.resolve(dir);
    await mkdir(absolute, { recursive: true });
    const lock = await acquireLock(absolute);
    try {
      const loaded = await loadDirectory(absolute);
      return new Journal<T>(absolute, lock, options, loaded.recovery, loaded);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  get pending(): number {
    return this.index.size;
  }

  get pendingBytes(): number {
    return this.bytesPending;
  }

  /** Highest seq made durable so far (0 when nothing was ever appended). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  oldestPending(): { seq: number; appendedAt: number } | null {
    const first = this.index.values().next();
    return first.done ? null : { seq: first.value.seq, appendedAt: first.value.appendedAt };
  }

  oldestPendingAgeMs(): number | null {
    const oldest = this.oldestPending();
    return oldest === null ? null : Math.max(0, this.now() - oldest.appendedAt);
  }

  /**
   * Durably appends values, in order. Concurrent calls are group-committed: one write and one
   * fdatasync for everything queued while the previous commit was running.
   * Resolves with the assigned seqs once the data is on disk.
   */
  append(values: readonly T[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new JournalClosedError());
    if (values.length === 0) return Promise.resolve([]);
    let json: string[];
    try {
      // Serialize now, so a value JSON cannot represent fails this call and not the whole group.
      json = values.map((value) => {
        const text = JSON.stringify(value);
        if (typeof text !== "string") throw new TypeError("journal values must be JSON-serializable");
        return text;
      });
    } catch (error) {
      return Promise.reject(error);
    }
    const bytes = json.reduce((sum, text) => sum + Buffer.byteLength(text) + 40, 0);
    if (this.bytesPending + this.bytesQueued + bytes > this.maxPendingBytes) {
      return Promise.reject(new JournalFullError(this.bytesPending + this.bytesQueued, this.maxPendingBytes));
    }
    this.bytesQueued += bytes;
    return new Promise<number[]>((resolve, reject) => {
      this.appendQueue.push({ json, bytes, resolve, reject });
      if (!this.appendDrainScheduled) {
        this.appendDrainScheduled = true;
        void this.serialize(() => this.drainAppends()).catch(() => undefined); // errors go to each caller
      }
    });
  }

  /** The oldest pending records, at most `limit` of them and (after the first) at most `maxBytes`. */
  peek(limit: number, maxBytes = Number.POSITIVE_INFINITY): Promise<JournalEntry<T>[]> {
    return this.serialize(async () => {
      this.assertOpen();
      const picked: IndexEntry[] = [];
      let bytes = 0;
      for (const entry of this.index.values()) {
        if (picked.length >= limit) break;
        if (picked.length > 0 && bytes + entry.length > maxBytes) break;
        picked.push(entry);
        bytes += entry.length;
      }
      return this.readEntries(picked);
    });
  }

  /**
   * Marks records as delivered. Unknown or already acknowledged seqs are ignored. Fully acknowledged
   * segments are deleted.
   */
  ack(seqs: readonly number[]): Promise<void> {
    return this.serialize(async () => {
      this.assertOpen();
      const bySegment = new Map<Segment, number[]>();
      for (const seq of seqs) {
        const entry = this.index.get(seq);
        if (!entry) continue;
        const list = bySegment.get(entry.segment) ?? [];
        list.push(seq);
        bySegment.set(entry.segment, list);
      }
      for (const [segment, list] of bySegment) {
        // Persist first, then forget: if the write fails the records stay pending and are re-sent.
        await appendDurably(segment.ackPath, frame(JSON.stringify(toRanges(list))));
        for (const seq of list) {
          const entry = this.index.get(seq);
          if (!entry) continue;
          this.index.delete(seq);
          this.bytesPending -= entry.length + 1;
          segment.pending -= 1;
        }
        if (segment.pending === 0) await this.deleteSegment(segment);
      }
    });
  }

  /** Waits for queued writes, closes files and releases the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.serialize(async () => {
      this.closed = true;
      if (this.active) {
        await this.active.handle.close().catch(() => undefined);
        this.active = null;
      }
    });
    await this.lock.release();
  }

  private serialize<R>(op: () => Promise<R>): Promise<R> {
    const run = this.chain.then(op, op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw new JournalClosedError();
  }

  private async drainAppends(): Promise<void> {
    this.appendDrainScheduled = false;
    const group = this.appendQueue;
    this.appendQueue = [];
    const queuedBytes = group.reduce((sum, item) => sum + item.bytes, 0);
    try {
      this.assertOpen();
      const appendedAt = this.now();
      const seqsPerCall: number[][] = [];
      const lines: string[] = [];
      let seq = this.nextSeq;
      for (const item of group) {
        const seqs: number[] = [];
        for (const json of item.json) {
          seqs.push(seq);
          lines.push(frame(`{"s":${seq},"t":${appendedAt},"e":${json}}`));
          seq += 1;
        }
        seqsPerCall.push(seqs);
      }
      const buffers = lines.map((line) => Buffer.from(line, "utf8"));
      const total = buffers.reduce((sum, b) => sum + b.length, 0);
      const { segment, handle } = await this.writableSegment(total);
      const start = segment.size;
      try {
        await writeAll(handle, Buffer.concat(buffers, total));
        // fdatasync: data plus the metadata needed to read it back (the file size). Resolving
        // append() before this point would make "durable" a lie on power loss.
        await handle.datasync();
      } catch (error) {
        // The file's tail is now unknown (partly written, or a failed fsync whose dirty pages the
        // kernel may have dropped). Never write after it again: start a new segment next time.
        this.active = null;
        segment.size += total;
        await handle.close().catch(() => undefined);
        throw error;
      }
      let offset = start;
      let i = 0;
      for (const seqs of seqsPerCall) {
        for (const s of seqs) {
          const length = (buffers[i]?.length ?? 1) - 1;
          this.index.set(s, { seq: s, appendedAt, segment, offset, length });
          this.bytesPending += length + 1;
          segment.pending += 1;
          offset += length + 1;
          i += 1;
        }
      }
      segment.size += total;
      this.nextSeq = seq;
      for (const [k, item] of group.entries()) item.resolve(seqsPerCall[k] ?? []);
    } catch (error) {
      for (const item of group) item.reject(error);
    } finally {
      this.bytesQueued -= queuedBytes;
    }
  }

  private async writableSegment(incoming: number): Promise<{ segment: Segment; handle: FileHandle }> {
    if (this.active && this.active.segment.size > 0 && this.active.segment.size + incoming > this.maxSegmentBytes) {
      const full = this.active.handle;
      this.active = null;
      await full.close();
    }
    if (this.active) return this.active;
    const id = this.nextSegmentId++;
    const segment: Segment = { id, ...segmentPaths(this.dir, id), pending: 0, size: 0 };
    const handle = await open(segment.logPath, "wx");
    // The new file's directory entry must be durable too, or a power loss could lose the whole file
    // even though its contents were fsync'd.
    await syncDirectory(this.dir);
    this.segments.set(id, segment);
    this.active = { segment, handle };
    return this.active;
  }

  private async deleteSegment(segment: Segment): Promise<void> {
    if (this.active?.segment === segment) {
      await this.active.handle.close().catch(() => undefined);
      this.active = null;
    }
    this.segments.delete(segment.id);
    // Log first: a crash in between leaves an orphan ack file (removed at the next open), never a
    // log without its acks (which would only cause re-sends, but still).
    await unlinkIfExists(segment.logPath);
    await unlinkIfExists(segment.ackPath);
  }

  private async readEntries(entries: IndexEntry[]): Promise<JournalEntry<T>[]> {
    const result: JournalEntry<T>[] = [];
    let i = 0;
    while (i < entries.length) {
      const first = entries[i];
      if (!first) break;
      // Coalesce records that sit back to back in the same segment into one read.
      let j = i + 1;
      let end = first.offset + first.length + 1;
      for (;;) {
        const next = entries[j];
        if (!next || next.segment !== first.segment || next.offset !== end) break;
        end = next.offset + next.length + 1;
        j += 1;
      }
      const buffer = await readRange(first.segment.logPath, first.offset, end - first.offset);
      for (let k = i; k < j; k++) {
        const entry = entries[k];
        if (!entry) continue;
        const start = entry.offset - first.offset;
        const record = decodeLine(buffer.subarray(start, start + entry.length));
        if (!record || record.seq !== entry.seq) {
          throw new Error(`journal record ${entry.seq} in ${first.segment.logPath} changed on disk`);
        }
        result.push({ seq: entry.seq, appendedAt: entry.appendedAt, value: record.value as T, bytes: entry.length });
      }
      i = j;
    }
    return result;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

interface LoadedState {
  segments: Segment[];
  entries: IndexEntry[];
  maxSeq: number;
  maxSegmentId: number;
  recovery: JournalRecovery;
}

async function loadDirectory(dir: string): Promise<LoadedState> {
  const names = await readdir(dir);
  const logs = new Set<number>();
  const acks = new Set<number>();
  for (const name of names) {
    const match = SEGMENT_FILE.exec(name);
    if (!match) continue;
    const id = Number(match[1]);
    (match[2] === "log" ? logs : acks).add(id);
  }
  await removeLockDebris(dir, names);

  const state: LoadedState = {
    segments: [],
    entries: [],
    maxSeq: 0,
    maxSegmentId: [...logs, ...acks].reduce((max, id) => Math.max(max, id), 0),
    recovery: { recovered: 0, tornTails: 0, corruptLines: 0 },
  };
  for (const id of [...acks].filter((a) => !logs.has(a))) await unlinkIfExists(segmentPaths(dir, id).ackPath);

  for (const id of [...logs].sort((a, b) => a - b)) {
    const segment: Segment = { id, ...segmentPaths(dir, id), pending: 0, size: 0 };
    const acked = await readAcks(segment.ackPath, state.recovery);
    const content = await readFile(segment.logPath);
    segment.size = content.length;
    const entries: IndexEntry[] = [];
    forEachLine(content, state.recovery, (line, offset) => {
      const record = decodeLine(line);
      if (!record) {
        state.recovery.corruptLines += 1;
        return;
      }
      state.maxSeq = Math.max(state.maxSeq, record.seq);
      if (acked.has(record.seq)) return;
      entries.push({ seq: record.seq, appendedAt: record.appendedAt, segment, offset, length: line.length });
    });
    if (entries.length === 0) {
      await unlinkIfExists(segment.logPath);
      await unlinkIfExists(segment.ackPath);
      continue;
    }
    segment.pending = entries.length;
    state.segments.push(segment);
    state.entries.push(...entries);
  }
  // Seqs are assigned in file order, so this is normally a no-op; it keeps peek() ordered even if
  // files were restored from a backup in a strange order.
  state.entries.sort((a, b) => a.seq - b.seq);
  state.recovery.recovered = state.entries.length;
  return state;
}

async function readAcks(ackPath: string, recovery: JournalRecovery): Promise<Set<number>> {
  const acked = new Set<number>();
  let content: Buffer;
  try {
    content = await readFile(ackPath);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return acked;
    throw error;
  }
  forEachLine(content, recovery, (line) => {
    const payload = checkFrame(line);
    const ranges = payload === null ? null : parseRanges(payload);
    if (ranges === null) {
      recovery.corruptLines += 1;
      return;
    }
    for (const [from, to] of ranges) for (let s = from; s <= to; s++) acked.add(s);
  });
  return acked;
}

/** Calls `fn` for each complete line; an unterminated tail is a torn write and is skipped. */
function forEachLine(content: Buffer, recovery: JournalRecovery, fn: (line: Buffer, offset: number) => void): void {
  let start = 0;
  while (start < content.length) {
    const end = content.indexOf(NEWLINE, start);
    if (end === -1) {
      recovery.tornTails += 1;
      return;
    }
    if (end > start) fn(content.subarray(start, end), start);
    start = end + 1;
  }
}

async function removeLockDebris(dir: string, names: string[]): Promise<void> {
  // Temp files of lock attempts interrupted by a crash. Only old ones: a young one may belong to a
  // process that is trying to acquire the lock right now (and will fail, since we hold it).
  for (const name of names) {
    if (!name.startsWith(`${LOCK_FILE}.`)) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info && Date.now() - info.mtimeMs > 60_000) await unlinkIfExists(file);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

function frame(json: string): string {
  return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
}

/** Returns the JSON text of a framed line if its checksum matches, else null. */
function checkFrame(line: Buffer): string | null {
  if (line.length < 10 || line[8] !== 0x20) return null;
  const expected = Number.parseInt(line.subarray(0, 8).toString("latin1"), 16);
  const body = line.subarray(9);
  if (Number.isNaN(expected) || crc32(body) !== expected) return null;
  return body.toString("utf8");
}

function decodeLine(line: Buffer): { seq: number; appendedAt: number; value: unknown } | null {
  const json = checkFrame(line);
  if (json === null) return null;
  try {
    const record: unknown = JSON.parse(json);
    if (
      typeof record === "object" &&
      record !== null &&
      "s" in record &&
      Number.isSafeInteger(record.s) &&
      "t" in record &&
      typeof record.t === "number" &&
      "e" in record
    ) {
      return { seq: record.s as number, appendedAt: record.t, value: record.e };
    }
  } catch {
    // corrupt
  }
  return null;
}

function toRanges(seqs: number[]): [number, number][] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const seq of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else if (!last || seq > last[1]) ranges.push([seq, seq]);
  }
  return ranges;
}

function parseRanges(json: string): [number, number][] | null {
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return null;
    const ranges: [number, number][] = [];
    for (const item of value) {
      if (!Array.isArray(item) || item.length !== 2) return null;
      const [from, to] = item as unknown[];
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return null;
      ranges.push([from as number, to as number]);
    }
    return ranges;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// File helpers

function segmentPaths(dir: string, id: number): { logPath: string; ackPath: string } {
  const base = path.join(dir, `seg-${String(id).padStart(12, "0")}`);
  return { logPath: `${base}.log`, ackPath: `${base}.ack` };
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written);
    written += bytesWritten;
  }
}

async function appendDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, "a");
  try {
    await writeAll(handle, Buffer.from(text, "utf8"));
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

async function readRange(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, position + read);
      if (bytesRead === 0) throw new Error(`journal segment ${file} is shorter than expected`);
      read += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    // Windows cannot open or fsync a directory; there the file system orders it for us.
    if (!isErrno(error, "EISDIR") && !isErrno(error, "EPERM") && !isErrno(error, "EINVAL")) throw error;
  } finally {
    await handle?.close();
  }
}

async function unlinkIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
}
