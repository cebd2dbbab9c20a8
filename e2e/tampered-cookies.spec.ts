import { connect } from "node:net";
import { expect, signIn, test } from "./fixtures";

/**
 * Issue 16, point 3: a `next-auth.callback-url` cookie that is not a URL (`x'`) made every route that
 * reads the session answer 500 ("There is a problem with the server configuration"), sign-in and
 * sign-out included. Whatever the browser sends in its cookies, the answer is 401/400 (or 200 on a
 * public route, or for a valid session beside the junk), never 5xx: a malformed callback cookie is
 * treated as absent, as are a garbage session or CSRF token.
 */
const TAMPERED: Record<string, string> = {
  "callback-url not a URL": "next-auth.callback-url=x'",
  "callback-url not a path": "next-auth.callback-url=javascript:alert(1)",
  "callback-url bad percent-encoding": "next-auth.callback-url=%E0%A4%A",
  "session-token garbage": "next-auth.session-token=garbage.not-a.jwe",
  "csrf-token garbage": "next-auth.csrf-token=%ZZ|||",
  "a 10 kB cookie": `next-auth.session-token=${"A".repeat(10_000)}`,
  "invalid percent-encoding everywhere": "next-auth.session-token=%E0%A4%A; next-auth.csrf-token=%; next-auth.callback-url=%",
};

/** Routes and what an anonymous browser gets there, whatever its cookies. */
const ANONYMOUS: [string, number][] = [
  ["/api/exceptions", 401],
  ["/api/plants", 401],
  ["/api/auth/session", 200],
  ["/api/auth/csrf", 200],
  ["/api/auth/providers", 200],
  ["/login", 200],
  ["/plants", 307],
];

/** One raw HTTP/1.1 request, so the Cookie header can hold bytes no client library would send (invalid UTF-8). */
function rawGet(port: number, path: string, cookie: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let head = "";
    const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\nCookie: `);
    socket.once("connect", () => socket.write(Buffer.concat([request, cookie, Buffer.from("\r\n\r\n")])));
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.once("error", reject);
    socket.once("close", () => reject(new Error(`no answer to GET ${path}: ${head.slice(0, 80)}`)));
  });
}

test.describe("tampered auth cookies", () => {
  test("an anonymous browser gets 401/200/redirect with any of them, never 5xx", async ({ playwright, baseURL }) => {
    const seen: string[] = [];
    for (const [what, cookie] of Object.entries(TAMPERED)) {
      const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie } });
      for (const [path, expected] of ANONYMOUS) {
        const res = await ctx.get(path, { maxRedirects: 0 });
        seen.push(`${what} ${path} ${res.status()}`);
        expect(res.status(), `${what} on ${path}`).toBe(expected);
      }
      await ctx.dispose();
    }
    expect(seen.filter((s) => / 5\d\d$/.test(s))).toEqual([]);
  });

  test("a signed-in user with a tampered callback or CSRF cookie keeps working; the browser is told to drop the bad one", async ({ playwright, baseURL }) => {
    const jar = await playwright.request.newContext({ baseURL });
    await signIn(jar, "operator@andon.local");
    const session = (await jar.storageState()).cookies.find((c) => c.name.endsWith("next-auth.session-token"))!;
    await jar.dispose();
    for (const junk of ["next-auth.callback-url=x'", "next-auth.callback-url=%E0%A4%A", "next-auth.csrf-token=garbage"]) {
      const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `${session.name}=${session.value}; ${junk}` } });
      const api = await ctx.get("/api/exceptions");
      expect(api.status(), junk).toBe(200);
      if (junk.startsWith("next-auth.callback-url=x")) expect(api.headers()["set-cookie"]).toMatch(/next-auth\.callback-url=;.*Max-Age=0/i);
      expect((await ctx.get("/exceptions", { maxRedirects: 0 })).status(), junk).toBe(200);
      expect((await ctx.get("/api/auth/session")).status(), junk).toBe(200);
      expect(((await (await ctx.get("/api/auth/session")).json()) as { user?: { email: string } }).user?.email).toBe("operator@andon.local");
      await ctx.dispose();
    }
  });

  test("sign-in and sign-out with a callbackUrl that is not a URL: no 5xx; as next-auth's query parameter a 400", async ({ playwright, baseURL }) => {
    // The junk cookie in the context's jar, beside the CSRF cookie next-auth sets.
    const junk = { name: "next-auth.callback-url", value: "x'", domain: "localhost", path: "/" };
    const cookie = { ...junk, expires: -1, httpOnly: false, secure: false, sameSite: "Lax" as const };
    const ctx = await playwright.request.newContext({ baseURL, storageState: { cookies: [cookie], origins: [] } });
    const { csrfToken } = (await (await ctx.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const form = { csrfToken, email: "operator@andon.local", password: "andon-demo", callbackUrl: "x'", json: "true" };
    const signedIn = await ctx.post("/api/auth/callback/credentials", { form });
    expect(signedIn.status()).toBe(200);
    expect(((await signedIn.json()) as { url: string }).url).toBe(`${baseURL}`); // not a URL: back to the portal itself
    const out = await ctx.post("/api/auth/signout", { form: { csrfToken, callbackUrl: "x'", json: "true" } });
    expect(out.status()).toBe(200);
    const param = await ctx.get("/api/auth/session?callbackUrl=x'");
    expect(param.status()).toBe(400);
    expect(await param.json()).toMatchObject({ error: { code: "invalid_callback_url" } });
    expect((await ctx.get("/login?callbackUrl=x'")).status()).toBe(200);
    await ctx.dispose();
  });

  test("cookies that are not UTF-8 at all: 401 or 200, never 5xx", async ({ baseURL }) => {
    const port = Number(new URL(baseURL!).port);
    const bytes = (text: string) =>
      Buffer.from(
        text.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
        "latin1",
      );
    const notUtf8 = [
      "next-auth.callback-url=\\xff\\xfe",
      "next-auth.session-token=\\xc3\\x28\\xa0\\xa1",
      "next-auth.csrf-token=\\xe2\\x82; next-auth.callback-url=/\\xff",
    ];
    for (const cookie of notUtf8) {
      expect(await rawGet(port, "/api/exceptions", bytes(cookie)), cookie).toBe(401);
      expect(await rawGet(port, "/api/auth/session", bytes(cookie)), cookie).toBe(200);
      expect(await rawGet(port, "/login", bytes(cookie)), cookie).toBe(200);
    }
  });
});
