import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PlantMetricsTable } from "@/components/dashboards/plant-metrics-table";
import { requirePageUser } from "@/server/auth/current-user";
import { plantInterfaceMetrics } from "@/server/dashboards/plant-metrics";
import { AppError } from "@/server/http/errors";

type Props = { params: Promise<{ code: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Plant ${(await params).code}` };
}

export default async function PlantPage({ params, searchParams }: Props) {
  const user = await requirePageUser();
  const { code } = await params;
  const sp = await searchParams;
  const range = typeof sp.range === "string" && ["1h", "24h", "7d", "30d"].includes(sp.range) ? sp.range : "24h";
  try {
    const metrics = await plantInterfaceMetrics(user, code, { range });
    return <PlantMetricsTable metrics={metrics} range={range} />;
  } catch (err) {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  }
}
