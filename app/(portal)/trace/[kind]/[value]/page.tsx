import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TraceView } from "@/components/trace/trace-view";
import { requirePageUser } from "@/server/auth/current-user";
import { can } from "@/server/policy";
import { traceObject } from "@/server/trace/trace-object";

export const metadata: Metadata = { title: "Traceability" };

/** /trace/<kind>/<value>: one business object across messages, systems and the user's plants; 404 when none of their plants has it. */
export default async function TraceObjectPage({ params }: { params: Promise<{ kind: string; value: string }> }) {
  const user = await requirePageUser();
  if (!can(user, "trace.read")) notFound();
  const { kind, value } = await params;
  // Page params arrive URL-encoded (unlike route handler params): "B%2F1" is the lot "B/1". A malformed escape names nothing.
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    notFound();
  }
  const trace = await traceObject(user, kind, decoded);
  if (!trace) notFound();
  return <TraceView trace={trace} />;
}
