import { describe, expect, it } from "vitest";
import { compareHealth, plantHealth } from "./health";

const quiet = { interfaces: [], messages: 1000, failed: 0, connectors: [{ name: "SAP", silent: false, reported: true, backlog: 0 }], alertsFiring: 0 };

describe("one health state per plant, from the figures its tile shows", () => {
  it("is healthy when nothing needs attention", () => {
    expect(plantHealth(quiet)).toEqual({ state: "healthy", reasons: [] });
  });

  it("any minute above the SLO degrades the plant; 10 % of an interface's minutes make it critical", () => {
    const few = plantHealth({ ...quiet, interfaces: [{ code: "GOODS_MOVEMENT", activeMinutes: 60, breachMinutes: 3 }] });
    expect(few.state).toBe("degraded");
    expect(few.reasons[0]!.text).toBe("GOODS_MOVEMENT above its latency SLO in 3 of 60 minutes (5.0\u00a0%)");
    expect(plantHealth({ ...quiet, interfaces: [{ code: "GOODS_MOVEMENT", activeMinutes: 60, breachMinutes: 6 }] }).state).toBe("critical");
  });

  it("failures, connectors and alerts count too, the worst reason first", () => {
    expect(plantHealth({ ...quiet, failed: 10 }).state).toBe("degraded");
    expect(plantHealth({ ...quiet, failed: 50 }).state).toBe("critical");
    expect(plantHealth({ ...quiet, failed: 5 }).state).toBe("healthy");
    expect(plantHealth({ ...quiet, alertsFiring: 1 }).reasons).toEqual([{ state: "degraded", text: "1 alert firing" }]);
    expect(plantHealth({ ...quiet, connectors: [{ name: "SAP", silent: false, reported: false, backlog: null }] }).state).toBe("degraded");
    const h = plantHealth({ ...quiet, alertsFiring: 2, connectors: [{ name: "SAP", silent: true, reported: true, backlog: 4 }] });
    expect(h.state).toBe("critical");
    expect(h.reasons.map((r) => r.state)).toEqual(["critical", "degraded"]);
  });

  it("makes a plant critical for a stopped flow or a missed run, degraded for late messages", () => {
    expect(plantHealth({ ...quiet, findings: { stopped: 0, missedRuns: 0, late: 0, flood: 0 } }).state).toBe("healthy");
    const stopped = plantHealth({ ...quiet, findings: { stopped: 1, missedRuns: 0, late: 14, flood: 0 } });
    expect(stopped.state).toBe("critical");
    expect(stopped.reasons.map((r) => r.text)).toEqual(["1 flow stopped", "14 messages late"]);
    expect(plantHealth({ ...quiet, findings: { stopped: 0, missedRuns: 1, late: 0, flood: 0 } }).state).toBe("critical");
    expect(plantHealth({ ...quiet, findings: { stopped: 0, missedRuns: 0, late: 2, flood: 1 } }).state).toBe("degraded");
  });

  it("sorts worst first", () => {
    const tiles = [
      { code: "A", health: plantHealth(quiet) },
      { code: "B", health: plantHealth({ ...quiet, failed: 50 }) },
      { code: "C", health: plantHealth({ ...quiet, alertsFiring: 1 }) },
    ];
    expect(tiles.sort(compareHealth).map((t) => t.code)).toEqual(["B", "C", "A"]);
  });
});
