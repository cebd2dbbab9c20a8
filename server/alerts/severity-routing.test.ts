import { describe, expect, it } from "vitest";
import { atLeast, webhookRoutes } from "./severity-routing";

describe("webhook routing by severity", () => {
  it("takes the minimum severity or worse", () => {
    expect(atLeast("CRITICAL", "HIGH")).toBe(true);
    expect(atLeast("HIGH", "HIGH")).toBe(true);
    expect(atLeast("MEDIUM", "HIGH")).toBe(false);
    expect(atLeast("LOW", "LOW")).toBe(true);
  });
  it("checks the plant and the severity together", () => {
    const hook = { plantId: "p1", minSeverity: "HIGH" as const };
    expect(webhookRoutes(hook, { plantId: "p1", severity: "CRITICAL" })).toBe(true);
    expect(webhookRoutes(hook, { plantId: "p2", severity: "CRITICAL" })).toBe(false);
    expect(webhookRoutes(hook, { plantId: "p1", severity: "LOW" })).toBe(false);
    expect(webhookRoutes({ plantId: null, minSeverity: "LOW" }, { plantId: "p2", severity: "LOW" })).toBe(true);
  });
});
