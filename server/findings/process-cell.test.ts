import { describe, expect, it } from "vitest";
import { CELL_STATE_RANK, type ProcessCounts, cellState, cellText } from "./process-cell";

const zero: ProcessCounts = { stopped: 0, missedRun: 0, failing: 0, flood: 0, late: 0 };
const c = (x: Partial<ProcessCounts>): ProcessCounts => ({ ...zero, ...x });

describe("process cell rule", () => {
  it("a plant that runs none of the process's interfaces shows nothing, whatever the counts", () => {
    expect(cellState(false, zero)).toBe("none");
  });

  it("nothing open is ok", () => {
    expect(cellState(true, zero)).toBe("ok");
  });

  it("each kind alone gives its state", () => {
    expect(cellState(true, c({ late: 14 }))).toBe("late");
    expect(cellState(true, c({ flood: 1 }))).toBe("flooded");
    expect(cellState(true, c({ failing: 3 }))).toBe("failing");
    expect(cellState(true, c({ stopped: 1 }))).toBe("stopped");
    expect(cellState(true, c({ missedRun: 1 }))).toBe("stopped");
  });

  it("the worst wins: stopped > failing > flooded > late", () => {
    expect(cellState(true, c({ stopped: 1, failing: 50, flood: 2, late: 14 }))).toBe("stopped");
    expect(cellState(true, c({ failing: 1, flood: 2, late: 14 }))).toBe("failing");
    expect(cellState(true, c({ flood: 1, late: 14 }))).toBe("flooded");
    const order = ["stopped", "failing", "flooded", "late", "ok", "none"] as const;
    expect([...order].sort((a, b) => CELL_STATE_RANK[b] - CELL_STATE_RANK[a])).toEqual([...order]);
  });

  it("says every count, worst first, in words", () => {
    expect(cellText(zero)).toEqual([]);
    expect(cellText(c({ stopped: 1, missedRun: 2, failing: 1, flood: 3, late: 1400 }))).toEqual([
      "1 stopped flow",
      "2 missed runs",
      "1 open exception",
      "3 flooded flows",
      "1,400 late",
    ]);
  });
});
