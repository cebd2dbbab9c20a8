import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ZodError } from "zod";
import { ListTime } from "@/components/audit/list-time";
import { Badge } from "@/components/ui/badge";
import { safeZone, ZONE_COOKIE } from "@/lib/format";
import { labelOf, TRANSACTION_STATUS_LABELS } from "@/lib/labels";
import { isoToZoned, zonedToIso } from "@/lib/timezone";
import { requirePageUser } from "@/server/auth/current-user";
import { interfaceCodes, visiblePlants } from "@/server/plants/visible-plants";
import { AppError } from "@/server/http/errors";
import { can } from "@/server/policy";
import { type HistoryRow, searchTransactions } from "@/server/transactions/history";

export const metadata: Metadata = { title: "Transactions" };
type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };
const STATUSES = ["IN_FLIGHT", "DELIVERED", "FAILED", "RETRYING"] as const;

/** "2026-12-06T08:00" (a datetime-local field) is the user's wall-clock time; anything else is passed on as written (ISO with offset). */
function userTimeToIso(value: string | undefined, zone: string): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return value;
  try {
    return zonedToIso(value, zone);
  } catch {
    return value;
  }
}

/** A stored bound back into the field: the user's wall-clock time. */
function isoToUserTime(value: string | undefined, zone: string): string {
  if (!value) return "";
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return value.slice(0, 16);
  return Number.isNaN(Date.parse(value)) ? "" : isoToZoned(value, zone);
}

/**
 * Transaction history: a plain GET form (works without JavaScript), results newest first, keyset "next page".
 * Rows of several plants are listed together, so their times are written in the user's zone (one zone: the
 * order reads as sorted), each with its plant's time beside it when that zone differs; all zones named.
 */
export default async function TransactionsPage({ searchParams }: Props) {
  const user = await requirePageUser();
  if (!can(user, "transaction.read")) notFound();
  const sp = Object.fromEntries(Object.entries(await searchParams).filter(([, v]) => typeof v === "string" && v !== "")) as Record<string, string>;
  const zone = safeZone((await cookies()).get(ZONE_COOKIE)?.value);
  const query = { ...sp, ...(sp.from ? { from: userTimeToIso(sp.from, zone) } : {}), ...(sp.to ? { to: userTimeToIso(sp.to, zone) } : {}) };
  const [plants, interfaces] = await Promise.all([visiblePlants(user), interfaceCodes()]);
  let result: { rows: HistoryRow[]; nextCursor: string | null } | null = null;
  let error: string | null = null;
  try {
    result = await searchTransactions(user, query);
  } catch (err) {
    if (err instanceof ZodError || err instanceof AppError)
      error = err instanceof ZodError ? err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") : err.message;
    else throw err;
  }
  const next = result?.nextCursor ? `/transactions?${new URLSearchParams({ ...sp, cursor: result.nextCursor })}` : null;
  const field = "h-8 rounded-md border border-border bg-surface px-2 text-sm";
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-lg font-semibold">Transactions</h1>
        <Link href="/trace" className="text-sm underline-offset-2 hover:underline">
          Trace a lot, order or purchase order →
        </Link>
      </div>
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
                {labelOf(TRANSACTION_STATUS_LABELS, s)}
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          First seen from ({zone})
          <input name="from" type="datetime-local" defaultValue={isoToUserTime(sp.from, zone)} className={field} />
        </label>
        <label className="grid gap-1">
          until ({zone})
          <input name="to" type="datetime-local" defaultValue={isoToUserTime(sp.to, zone)} className={field} />
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
            <caption className="sr-only">Transactions, newest first; times in your zone ({zone}), with the plant's time where it differs</caption>
            <thead className="bg-muted text-muted-foreground">
              <tr>
                {["First seen", "Plant", "Interface", "Business key", "Message id", "Status", "Attempts", "Exceptions open", "Corrections", "Replays"].map(
                  (h) => (
                    <th key={h} scope="col" className="px-3 py-2 font-medium">
                      {h}
                    </th>
                  ),
                )}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((r) => (
                <tr key={r.id} className="border-t border-border" data-transaction={r.messageId}>
                  <td className="px-3 py-1.5">
                    <ListTime iso={r.firstSeenAt} plantZone={r.timezone} />
                  </td>
                  <td className="px-3 py-1.5 whitespace-nowrap font-mono">{r.plantCode}</td>
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
                    <Badge tone={r.status === "FAILED" ? "critical" : r.status === "DELIVERED" ? "low" : "medium"}>
                      {labelOf(TRANSACTION_STATUS_LABELS, r.status)}
                    </Badge>
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
