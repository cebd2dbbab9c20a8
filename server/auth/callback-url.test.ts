import { describe, expect, it } from "vitest";
import { isValidCallbackUrl, safeRedirect, withoutInvalidCallbackCookies } from "./callback-url";

describe("callback URLs from the browser", () => {
  it("accepts what next-auth accepts: a path or an http(s) URL", () => {
    for (const ok of ["/", "/exceptions?status=OPEN", "http://localhost:3000/plants", "https://andon.example/x"]) expect(isValidCallbackUrl(ok), ok).toBe(true);
    for (const bad of ["x'", "", "javascript:alert(1)", "//", "ftp://host/x", "%E0%A4%A"]) expect(isValidCallbackUrl(bad), bad).toBe(false);
  });

  it("the redirect never throws: a foreign or malformed URL goes to the portal itself", () => {
    const baseUrl = "http://localhost:3000";
    expect(safeRedirect({ url: "/plants", baseUrl })).toBe("http://localhost:3000/plants");
    expect(safeRedirect({ url: "http://localhost:3000/x", baseUrl })).toBe("http://localhost:3000/x");
    expect(safeRedirect({ url: "https://evil.example/", baseUrl })).toBe(baseUrl);
    expect(safeRedirect({ url: "x'", baseUrl })).toBe(baseUrl);
  });

  it("drops only a callback-URL cookie next-auth would choke on, and leaves the rest of the header as it was", () => {
    expect(withoutInvalidCallbackCookies("a=1; next-auth.session-token=t")).toEqual({ header: "a=1; next-auth.session-token=t", dropped: [] });
    expect(withoutInvalidCallbackCookies("next-auth.callback-url=http%3A%2F%2Flocalhost%3A3000%2Fplants; b=2").dropped).toEqual([]);
    expect(withoutInvalidCallbackCookies("a=1; next-auth.callback-url=x'; next-auth.session-token=t")).toEqual({
      header: "a=1; next-auth.session-token=t",
      dropped: ["next-auth.callback-url"],
    });
    expect(withoutInvalidCallbackCookies("__Secure-next-auth.callback-url=%E0%A4%A")).toEqual({ header: "", dropped: ["__Secure-next-auth.callback-url"] });
    expect(withoutInvalidCallbackCookies("next-auth.callback-url")).toEqual({ header: "", dropped: ["next-auth.callback-url"] });
    expect(withoutInvalidCallbackCookies(null)).toEqual({ header: "", dropped: [] });
  });
});
