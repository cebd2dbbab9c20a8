import { randomUUID } from "node:crypto";
import { link, open, readFile, rename, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * One process per journal directory. Node has no portable advisory lock (flock), so the lock is a
 * file created atomically with link(2) (fails with EEXIST, never overwrites) and holding the owner's
 * pid, host and a random token. A lock whose pid is dead on this host is stale and taken over.
 */
export const LOCK_FILE = "journal.lock";

export interface LockInfo {
  pid: number;
  hostname: string;
  token: string;
  acquiredAt: string;
}

export class JournalLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockInfo | null,
    detail: string,
  ) {
    super(`journal ${dir} is in use: ${detail}. Only one process may use a journal directory.`);
    this.name = "JournalLockedError";
  }
}

/** Locks held by this process, by directory: tells "my own pid, still open" from "my pid, reused". */
const heldInThisProcess = new Map<string, string>();

export interface JournalLock {
  readonly token: string;
  release(): Promise<void>;
}

export async function acquireLock(dir: string): Promise<JournalLock> {
  const lockPath = path.join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, hostname: os.hostname(), token: randomUUID(), acquiredAt: new Date().toISOString() };

  // Write the full content to a private file first, then link it into place: other processes never
  // observe an empty or half-written lock file.
  const tmp = path.join(dir, `${LOCK_FILE}.${mine.token}.tmp`);
  const handle = await open(tmp, "wx");
  try {
    await handle.writeFile(JSON.stringify(mine));
    await handle.sync();
  } finally {
    await handle.close();
  }

  try {
    for (let round = 0; round < 5; round++) {
      try {
        await link(tmp, lockPath);
        heldInThisProcess.set(dir, mine.token);
        return { token: mine.token, release: () => releaseLock(dir, lockPath, mine.token) };
      } catch (error) {
        if (!isErrno(error, "EEXIST")) throw error;
      }
      const holder = await readLock(lockPath);
      if (holder === undefined) continue; // vanished between link and read: try again
      const alive = holderAlive(dir, holder);
      if (alive !== null) throw new JournalLockedError(dir, holder, alive);
      await removeStaleLock(dir, lockPath, holder);
    }
    throw new JournalLockedError(dir, null, "the lock file keeps changing (another process is starting on it)");
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Returns why the holder counts as alive, or null when the lock is stale. */
function holderAlive(dir: string, holder: LockInfo | null): string | null {
  if (holder === null) return null; // unreadable lock: our writes are atomic, so it is debris
  if (holder.hostname !== os.hostname()) {
    // A shared network directory: we cannot check a pid on another machine, so do not guess.
    return `locked by pid ${holder.pid} on host ${holder.hostname} (remove ${LOCK_FILE} if that host is gone)`;
  }
  if (holder.pid === process.pid) {
    // Either this process opened it already, or a previous incarnation had the same pid
    // (containers often run the connector as pid 1): only the in-process registry can tell.
    return heldInThisProcess.get(dir) === holder.token ? `already open in this process (pid ${holder.pid})` : null;
  }
  try {
    process.kill(holder.pid, 0);
    return `locked by running process ${holder.pid}`;
  } catch (error) {
    if (isErrno(error, "EPERM")) return `locked by running process ${holder.pid} (another user)`;
    return null; // ESRCH: the holder is dead
  }
}

/**
 * Takes a stale lock away without ever deleting a lock someone else just acquired: the lock is
 * renamed aside (atomic), and if what was renamed turns out not to be the stale lock we inspected,
 * it is put back with link (which cannot overwrite).
 */
async function removeStaleLock(dir: string, lockPath: string, stale: LockInfo | null): Promise<void> {
  const aside = path.join(dir, `${LOCK_FILE}.${randomUUID()}.stale`);
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return; // someone else removed it
    throw error;
  }
  const moved = await readLock(aside);
  const sameLock = stale === null ? moved === null : moved !== undefined && moved !== null && moved.token === stale.token;
  if (!sameLock) {
    await link(aside, lockPath).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    throw new JournalLockedError(dir, moved ?? null, "another process took the lock over at the same time");
  }
  await unlink(aside).catch(() => undefined);
}

async function releaseLock(dir: string, lockPath: string, token: string): Promise<void> {
  if (heldInThisProcess.get(dir) === token) heldInThisProcess.delete(dir);
  const current = await readLock(lockPath);
  if (current && current.token === token) await unlink(lockPath).catch(() => undefined);
}

/** undefined: no lock file; null: present but unreadable. */
async function readLock(file: string): Promise<LockInfo | null | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === "object" &&
      value !== null &&
      "pid" in value &&
      typeof value.pid === "number" &&
      "hostname" in value &&
      typeof value.hostname === "string" &&
      "token" in value &&
      typeof value.token === "string"
    ) {
      const acquiredAt = "acquiredAt" in value && typeof value.acquiredAt === "string" ? value.acquiredAt : "";
      return { pid: value.pid, hostname: value.hostname, token: value.token, acquiredAt };
    }
  } catch {
    // fall through
  }
  return null;
}

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}
