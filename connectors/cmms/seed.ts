import { CmmsState } from "./state";

/**
 * Demo data. Equipment EQ-1012…1014 are the Odoo emulator's maintenance.equipment 12–14 (same
 * names and serial numbers). Work order 4100017 is the SAP emulator's maintenance order
 * 000004100017 (PM01, plant 1000), so a consumption against it posts in SAP (SP-0042: 24 PC in
 * 1000/0001); 4100016 is closed; 4200003 is released in Charlotte (2000). SP-0315 is a CMMS-only
 * spare part (SAP has no material master for it: its usage fails in SAP with M3 305).
 */

export function createSeededCmms(now: () => Date): CmmsState {
  const cmms = new CmmsState(now);
  cmms.equipment.set("EQ-1012", {
    equipment: "EQ-1012",
    description: "CNC Milling Center DMU 50",
    serialNumber: "DMU50-2291",
    functionalLocation: "Hall 2",
    plant: "2000",
  });
  cmms.equipment.set("EQ-1013", {
    equipment: "EQ-1013",
    description: "Hydraulic Press HP-400",
    serialNumber: "HP400-0173",
    functionalLocation: "Hall 1",
    plant: "1000",
  });
  cmms.equipment.set("EQ-1014", { equipment: "EQ-1014", description: "Assembly Line 2 Conveyor", functionalLocation: "Hall 3", plant: "1000" });
  cmms.parts.set("SP-0042", { material: "SP-0042", description: "Ball bearing 6204-2RS", baseUnit: "PC", plants: ["1000", "2000"] });
  cmms.parts.set("SP-0315", { material: "SP-0315", description: "V-belt SPA 1250", baseUnit: "PC", plants: ["1000", "2000"] });

  const seed = (
    workOrder: string,
    equipment: string,
    description: string,
    status: "CLOSED" | "IN_PROGRESS" | "RELEASED",
    plannedStart: string,
    reserve: number,
  ) => {
    const plant = cmms.equipment.get(equipment)!.plant;
    cmms.nextWorkOrder.set(plant, Number(workOrder));
    cmms.createWorkOrder({ equipment, description, plannedStart, priority: "2" });
    if (reserve > 0) cmms.reserve(workOrder, { material: "SP-0042", quantity: reserve });
    for (const next of ["RELEASED", "IN_PROGRESS", "COMPLETED", "CLOSED"] as const) {
      cmms.setStatus(workOrder, next);
      if (next === status) break;
    }
  };
  seed("4100016", "EQ-1014", "Conveyor belt tracking adjustment", "CLOSED", "2026-11-10T06:00:00Z", 0);
  seed("4100017", "EQ-1013", "Hydraulic pressure drop on main cylinder", "IN_PROGRESS", "2026-11-20T06:00:00Z", 4);
  seed("4200003", "EQ-1012", "Spindle vibration above limit", "RELEASED", "2026-11-24T13:00:00Z", 2);
  cmms.nextWorkOrder.set("1000", 4100018);
  cmms.nextWorkOrder.set("2000", 4200004);
  cmms.events.length = 0;
  return cmms;
}
