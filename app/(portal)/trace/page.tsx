import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { TraceSearch } from "@/components/trace/trace-search";
import { requirePageUser } from "@/server/auth/current-user";
import { can } from "@/server/policy";
import { isTraceKind, traceHref } from "@/server/trace/kinds";

export const metadata: Metadata = { title: "Trace" };
type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Traceability search: a kind and a number lead to the object's page (/trace/<kind>/<value>). */
export default async function TracePage({ searchParams }: Props) {
  const user = await requirePageUser();
  if (!can(user, "trace.read")) notFound();
  const sp = await searchParams;
  const kind = typeof sp.kind === "string" && isTraceKind(sp.kind) ? sp.kind : "lot";
  const value = typeof sp.value === "string" ? sp.value.trim() : "";
  if (value) redirect(traceHref(kind, value));
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">Trace a business object</h1>
      <p className="max-w-3xl text-sm text-muted-foreground">
        Every message that named a lot, a production order, a purchase order or another business object, in your plants and across systems: each hop, exception,
        correction, approval and replay, in time order, exportable as CSV or NDJSON.
      </p>
      <TraceSearch kind={kind} />
    </div>
  );
}
