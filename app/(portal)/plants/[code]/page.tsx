import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ZodError } from "zod";
import { PlantDashboard } from "@/components/dashboards/plant-dashboard";
import type { RangeKey } from "@/lib/query-keys";
import { requirePageUser } from "@/server/auth/current-user";
import { plantInterfaceMetrics, visibleDashboardPlant } from "@/server/dashboards/plant-metrics";
import { isShiftChoice, plantShiftWindows, shiftRange } from "@/server/dashboards/shift-window";
import { plantSeries } from "@/server/dashboards/series";
import { AppError } from "@/server/http/errors";

type Props = { params: Promise<{ code: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Plant ${(await params).code}` };
}

const one = (v: string | string[] | undefined) => (typeof v === "string" && v ? v : undefined);

export default async function PlantPage({ params, searchParams }: Props) {
  const user = await requirePageUser();
  const { code } = await params;
  const sp = await searchParams;
  const from = one(sp.from);
  const to = one(sp.to);
  // "This shift" / "last shift" (?shift=current|previous): the shift's from/to, from the plant's calendar.
  const plant = await visibleDashboardPlant(user, code);
  if (!plant) notFound();
  const shifts = (await plantShiftWindows([plant.id])).get(plant.id) ?? null;
  const choice = one(sp.shift);
  const shift = isShiftChoice(choice) && (choice === "current" ? shifts?.current : shifts?.previous) ? choice : null;
  const shown = shift === "current" ? shifts?.current : shift === "previous" ? shifts?.previous : null;
  const range: RangeKey = shown
    ? shiftRange(shown, new Date())
    : from && to
      ? { from, to }
      : { range: ["1h", "24h", "7d", "30d"].includes(one(sp.range) ?? "") ? one(sp.range) : "24h" };
  try {
    const metrics = await plantInterfaceMetrics(user, code, range);
    // The latency chart needs one interface: the one asked for, else the first breaching its SLO, else the first.
    const iface = one(sp.interface) ?? metrics.interfaces.find((i) => i.sloBreached)?.code ?? metrics.interfaces[0]?.code ?? null;
    const series = await plantSeries(user, code, { ...range, ...(iface ? { interface: iface } : {}) });
    return <PlantDashboard initialMetrics={metrics} initialSeries={series} range={range} iface={iface} shifts={shifts} shift={shift} />;
  } catch (err) {
    if (err instanceof AppError && err.status === 404) notFound();
    if (err instanceof ZodError)
      return (
        <p role="alert" className="text-sm text-danger">
          This time range is not valid: {err.message}. Choose a preset range above or fix the dates.
        </p>
      );
    throw err;
  }
}
