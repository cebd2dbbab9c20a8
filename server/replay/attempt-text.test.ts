import { describe, expect, it } from "vitest";
import { describeAttempt } from "./attempt-text";

const failed = { mode: "push", outcome: "failed", httpStatus: 200, errorCode: null, errorMessage: null, category: null } as const;

describe("a replay attempt in words", () => {
  it("says who answered what instead of contradictory codes (push · failed · HTTP 200 · HTTP-503)", () => {
    expect(describeAttempt({ ...failed, errorCode: "HTTP-503", errorMessage: "Service Unavailable", category: "technical" }, "SAP_ERP")).toBe(
      "Push delivery failed: SAP ERP answered 503 (Service Unavailable)",
    );
    expect(describeAttempt({ ...failed, httpStatus: 502, errorCode: "HTTP-502", errorMessage: "Connector answered 502: bad gateway" }, "SAP_ERP")).toBe(
      "Push delivery failed: the connector answered 502 (Bad Gateway)",
    );
  });

  it("a business refusal names the target and its message; Andon's own codes are explained", () => {
    expect(describeAttempt({ ...failed, errorCode: "M7-021", errorMessage: "Deficit of SL Unrestricted-use 12 PC", category: "business" }, "SAP_ERP")).toBe(
      "SAP ERP refused the message: Deficit of SL Unrestricted-use 12 PC (SAP ERP message M7-021)",
    );
    expect(describeAttempt({ ...failed, httpStatus: null, errorCode: "CONNECTOR_UNREACHABLE", errorMessage: "connect ECONNREFUSED" }, "ODOO")).toBe(
      "Push delivery failed: the connector could not be reached — connect ECONNREFUSED",
    );
    expect(describeAttempt({ ...failed, mode: "pull", outcome: "delivered", errorCode: null }, "ODOO")).toBe(
      "Pull delivery succeeded: Odoo accepted the message",
    );
  });
});
