import { describe, expect, it } from "vitest";
import { invalidRequestUrl } from "./request-url";

describe("invalidRequestUrl", () => {
  it("passes ordinary URLs, including encoded ones and lenient query encodings", () => {
    const urls = ["/", "/api/exceptions?status=open&q=%C3%BC%20x", "/api/transactions/corr%2520y", "/api/transactions/a%25b"];
    urls.push("/api/exceptions?q=%ff", "/api/exceptions?q=%", "/api/x?q=%2500");
    for (const url of urls) {
      expect(invalidRequestUrl(url), url).toBeNull();
    }
  });

  it("refuses NUL anywhere and a path that is not percent-encoded UTF-8", () => {
    expect(invalidRequestUrl("/api/exceptions?q=%00")).toMatch(/NUL/);
    expect(invalidRequestUrl("/api/plants/%00/metrics")).toMatch(/NUL/);
    for (const url of ["/api/bulk/%ff", "/api/a/%/b", "/api/bulk/%E0%A4%A", "/api/x/%C0%80"]) expect(invalidRequestUrl(url), url).toMatch(/percent-encoded/);
  });
});
