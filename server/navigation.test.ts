import { describe, expect, it } from "vitest";
import { landingFor, navFor } from "./navigation";

const user = (role: string) => ({ id: "u", role, plantIds: ["p"] });

describe("each role lands where its question is answered", () => {
  it.each([
    ["VIEWER", "/dashboard"],
    ["OPERATOR", "/exceptions"],
    ["APPROVER", "/approvals"],
    ["AUDITOR", "/transactions"],
    ["ADMIN", "/dashboard"],
  ])("%s → %s, a page its navigation offers", (role, page) => {
    expect(landingFor(user(role))).toBe(page);
    expect(navFor(user(role)).map((n) => n.href)).toContain(page);
  });

  it("an unknown role gets no navigation and lands on the plant list (which shows it nothing)", () => {
    expect(navFor(user("SUPERUSER"))).toEqual([]);
    expect(landingFor(user("SUPERUSER"))).toBe("/plants");
  });
});
