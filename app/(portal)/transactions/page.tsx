import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ZodError } from "zod";
import { Badge } from "@/components/ui/badge";
import { requirePageUser } from "@/server/auth/current-user";
import { interfaceCodes, visiblePlants } from "@/server/plants/visible-plants";
import { AppError } from "@/server/http/errors";
import { can } from "@/server/policy";
import { type HistoryRow, searchTransactions } from "@/server/transactions/history";

export const metadata: Metadata = { title: "Transactions" };
type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };
const STATUSES = ["IN_FLIGHT", "DELIVERED", "FAILED", "RETRYING"] as const;

/** Transaction history: a plain GET form (works without JavaScript), results newest first, keyset "next page". */
export default async function TransactionsPage({ searchParams }: Props) {
  const user = await requirePageUser();
  if (!can(user, "transaction.read")) notFound();
  const sp = Object.fromEntries(Object.entries(await searchParams).filter(([, v]) => typeof v === "string" && v !== "")) as Record<string, string>;
  const [plants, interfaces] = await Promise.all([visiblePlants(user), interfaceCodes()]);
  let result: { rows: HistoryRow[]; nextCursor: string | null } | null = null;
  let error: string | null = null;
  try {
    result = await searchTransactions(user, sp);
  } catch (err) {
    if (err instanceof ZodError || err instanceof AppError)
      error = err instanceof ZodError ? err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") : err.message;
    else throw err;
  }
  const next = result?.nextCursor ? `/transactions?${new URLSearchParams({ ...sp, cursor: result.nextCursor })}` : null;
  const field = "h-8 rounded-md border border-border bg-surface px-2 text-sm";
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">Transactions</h1>
      <form
        method="get"
        action="/transactions"
        aria-label="Search transactions"
        className="flex flex-wrap items-end gap-2 rounded-lg border border-border bg-surface p-3 text-xs"
      >
        <label className="grid gap-1">
          Correlation id, message id or business key
          <input name="q" defaultValue={sp.q ?? ""} className={`${field} w-72`} placeholder="e.g. 4500012345 or corr-…" />
        </label>
        <label className="grid gap-1">
          Plant
          <select name="plant" defaultValue={sp.plant ?? ""} className={field}>
            <option value="">all</option>
            {plants.map((p) => (
              <option key={p.code}>{p.code}</option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          Interface
          <select name="interface" defaultValue={sp.interface ?? ""} className={field}>
            <option value="">all</option>
            {interfaces.map((code) => (
              <option key={code}>{code}</option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          Status
          <select name="status" defaultValue={sp.status ?? ""} className={field}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          First seen from (UTC, ISO)
          <input name="from" defaultValue={sp.from ?? ""} className={`${field} w-48`} placeholder="2026-11-01T00:00:00Z" />
        </label>
        <label className="grid gap-1">
          until
          <input name="to" defaultValue={sp.to ?? ""} className={`${field} w-48`} />
        </label>
        <button type="submit" className="h-8 rounded-md bg-primary px-3 text-sm font-medium text-primary-foreground">
          Search
        </button>
      </form>
      {error ? (
        <p role="alert" className="text-sm text-danger">
          This search is not valid: {error}
        </p>
      ) : null}
      {result && result.rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-border px-4 py-8 text-center text-sm text-muted-foreground">
          No transactions match. Business keys match from their start; correlation and message ids match exactly.
        </p>
      ) : null}
      {result && result.rows.length > 0 ? (
        <section
          aria-label="Transactions"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
          tabIndex={0}
          className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
        >
          <table className="w-full text-left text-xs">
            <caption className="sr-only">Transactions, newest first</caption>
            <thead className="bg-muted text-muted-foreground">
              <tr>
                {[
                  "First seen (plant time)",
                  "Plant",
                  "Interface",
                  "Business key",
                  "Message id",
                  "Status",
                  "Attempts",
                  "Exceptions open",
                  "Corrections",
                  "Replays",
                ].map((h) => (
                  <th key={h} scope="col" className="px-3 py-2 font-medium">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((r) => (
                <tr key={r.id} className="border-t border-border" data-transaction={r.messageId}>
                  <td className="px-3 py-1.5 tabular-nums">
                    {new Intl.DateTimeFormat("en-GB", { timeZone: r.timezone, dateStyle: "short", timeStyle: "medium" }).format(new Date(r.firstSeenAt))}
                  </td>
                  <td className="px-3 py-1.5 font-mono">{r.plantCode}</td>
                  <td className="px-3 py-1.5 font-mono">{r.interfaceCode}</td>
                  <td className="px-3 py-1.5">{r.businessKey ?? "—"}</td>
                  <th scope="row" className="px-3 py-1.5 text-left font-normal">
                    <Link
                      className="font-mono hover:underline"
                      href={`/transactions/${encodeURIComponent(r.correlationId)}?plant=${encodeURIComponent(r.plantCode)}`}
                    >
                      {r.messageId}
                    </Link>
                  </th>
                  <td className="px-3 py-1.5">
                    <Badge tone={r.status === "FAILED" ? "critical" : r.status === "DELIVERED" ? "low" : "medium"}>{r.status.toLowerCase()}</Badge>
                  </td>
                  <td className="px-3 py-1.5 tabular-nums">{r.attempts}</td>
                  <td className="px-3 py-1.5 tabular-nums">{r.openExceptions}</td>
                  <td className="px-3 py-1.5 tabular-nums">{r.corrections}</td>
                  <td className="px-3 py-1.5 tabular-nums">{r.replays}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {next ? (
        <Link href={next} className="inline-block text-sm hover:underline">
          Older transactions →
        </Link>
      ) : null}
    </div>
  );
}
