import { diffLines } from "diff";
import { db } from "../db";
import { renderRunbook } from "./render";

export type RunbookView = {
  id: string;
  key: string;
  version: number;
  title: string;
  body: string;
  /** Sanitized HTML of the body (render.ts). */
  html: string;
  author: string | null;
  savedAt: string;
};

async function view(r: { id: string; key: string; version: number; title: string; body: string; authorId: string; createdAt: Date }): Promise<RunbookView> {
  const author = await db().user.findUnique({ where: { id: r.authorId }, select: { name: true } });
  return {
    id: r.id,
    key: r.key,
    version: r.version,
    title: r.title,
    body: r.body,
    html: renderRunbook(r.body),
    author: author?.name ?? null,
    savedAt: r.createdAt.toISOString(),
  };
}

/**
 * The runbook that applies, the first key that has one (keysFor: the group's, then the error code's),
 * in its current version; null when none has. Runbooks are shared knowledge: anyone who sees the failure reads it.
 */
export async function currentRunbook(keys: readonly string[]): Promise<RunbookView | null> {
  const rows = await db().runbook.findMany({ where: { key: { in: [...keys] } }, orderBy: { version: "desc" }, distinct: ["key"] });
  for (const key of keys) {
    const r = rows.find((x) => x.key === key);
    if (r) return view(r);
  }
  return null;
}

export type RunbookVersion = {
  version: number;
  title: string;
  author: string | null;
  savedAt: string;
  diff: { added: boolean; removed: boolean; value: string }[];
};

/** Every version of a runbook, newest first, each with its line diff against the version before (the first against nothing). */
export async function runbookHistory(key: string): Promise<RunbookVersion[]> {
  const rows = await db().runbook.findMany({ where: { key }, orderBy: { version: "asc" }, take: 500 });
  const authors = new Map(
    (await db().user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.authorId))] } }, select: { id: true, name: true } })).map((u) => [
      u.id,
      u.name,
    ]),
  );
  return rows
    .map((r, i) => ({
      version: r.version,
      title: r.title,
      author: authors.get(r.authorId) ?? null,
      savedAt: r.createdAt.toISOString(),
      diff: versionDiff(rows[i - 1] ? `# ${rows[i - 1]!.title}\n\n${rows[i - 1]!.body}` : "", `# ${r.title}\n\n${r.body}`),
    }))
    .reverse();
}

/** Line diff of two versions (title as first line), as parts added / removed / kept. Pure. */
export function versionDiff(before: string, after: string) {
  return diffLines(before, after).map((p) => ({ added: p.added === true, removed: p.removed === true, value: p.value }));
}
