import { db } from "../db";
import type { Principal } from "../policy";
import { type AdminPlant, plantFor } from "./access";
import { type BatchScheduleView, batchScheduleView } from "./update-batch-schedule";
import { type ExpectationView, expectationView } from "./update-expectation";

/** A plant's flows (interfaces linked to it) with their expected traffic and batch schedule, as the administration shows them. */
export type FlowSettingsRow = {
  interfaceCode: string;
  name: string;
  syncMode: string;
  criticality: string;
  enabled: boolean;
  expectation: ExpectationView | null;
  schedule: BatchScheduleView | null;
};
export type FlowSettingsView = { plant: AdminPlant; flows: FlowSettingsRow[] };

export async function getFlowSettings(user: Principal, plantCode: unknown, now = new Date()): Promise<FlowSettingsView> {
  const plant = await plantFor(user, plantCode, "expectation.manage", "Only administrators set expected traffic");
  const [links, expectations, schedules] = await Promise.all([
    db().plantInterface.findMany({
      where: { plantId: plant.id },
      select: { enabled: true, interface: { select: { id: true, code: true, name: true, syncMode: true, criticality: true } } },
    }),
    db().flowExpectation.findMany({ where: { plantId: plant.id } }),
    db().batchSchedule.findMany({ where: { plantId: plant.id } }),
  ]);
  const flows = links
    .map((l) => {
      const e = expectations.find((x) => x.interfaceId === l.interface.id);
      const s = schedules.find((x) => x.interfaceId === l.interface.id);
      return {
        interfaceCode: l.interface.code,
        name: l.interface.name,
        syncMode: l.interface.syncMode,
        criticality: l.interface.criticality,
        enabled: l.enabled,
        expectation: e ? expectationView(e) : null,
        schedule: s ? batchScheduleView(s, plant.timezone, now) : null,
      };
    })
    .sort((a, b) => a.interfaceCode.localeCompare(b.interfaceCode));
  return { plant, flows };
}
