import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { HandoverBoard } from "@/components/handover/handover-board";
import { requirePageUser } from "@/server/auth/current-user";
import { plantShiftWindows } from "@/server/dashboards/shift-window";
import { type HandoverList, listHandovers } from "@/server/handover/list-handovers";
import { AppError } from "@/server/http/errors";

type Props = { params: Promise<{ code: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Shift handover ${(await params).code}` };
}

export default async function HandoverPage({ params }: Props) {
  const user = await requirePageUser();
  const { code } = await params;
  let list: HandoverList;
  try {
    list = await listHandovers(user, code, {});
  } catch (err) {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  }
  const windows = (await plantShiftWindows([list.plant.id])).get(list.plant.id) ?? null;
  return <HandoverBoard initial={list} windows={windows} />;
}
