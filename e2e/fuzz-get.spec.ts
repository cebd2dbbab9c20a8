import { readFileSync } from "node:fs";
import type { APIRequestContext } from "@playwright/test";
import { connectorKey, expect, signIn, test } from "./fixtures";
import { discoverRoutes, routeFile } from "./support/routes";

/**
 * Issue 16, defect 7: what a scanner does to the read API. Every GET route of the code (discovered as
 * the access matrix does) is called with hostile values in each query parameter it reads, hostile path
 * segments, and tampered cookies, as anonymous, as an operator, as an administrator and as an auditor
 * (and the connector route with a connector's key). Whatever the answer, it is never a 5xx nor a cut-off
 * answer, and afterwards the server is healthy and answers a normal request as before.
 */

/**
 * The query parameters each GET route reads, from its route file and the zod schema it parses them with
 * (a new GET route fails the first test until it is listed here). Routes that read none get a stray one.
 */
const QUERY_PARAMS: Record<string, string[]> = {
  "GET /api/[...path]": ["q"],
  "GET /api/health": ["verbose"],
  "GET /api/ingest/v1/openapi.json": ["format"],
  "GET /api/auth/[...nextauth]": ["callbackUrl", "error", "csrf"],
  "GET /api/connectors/v1/replays": ["wait", "max", "visibility"], // leaseQuerySchema
  "GET /api/admin/users": ["role"],
  "GET /api/admin/connectors": ["plant"],
  "GET /api/admin/interfaces": ["plant"],
  "GET /api/admin/interfaces/[id]/schemas": ["version"],
  "GET /api/admin/retention": ["days"],
  "GET /api/admin/calendar/[code]": ["plant"],
  "GET /api/admin/flows/[code]": ["plant"],
  "GET /api/admin/flows/[code]/[interface]/suggestion": ["windowMinutes", "weekday", "hour"], // suggestionQuerySchema
  "GET /api/admin/owners/[code]": ["plant"],
  "GET /api/admin/escalation": ["criticality"],
  "GET /api/alerts": ["status", "plant", "limit"], // inboxQuerySchema
  "GET /api/alerts/rules": ["plant"],
  "GET /api/alerts/webhooks": ["plant"],
  "GET /api/audit/export": ["format", "type", "actor", "entity", "plant", "from", "to"], // exportQuerySchema
  "GET /api/bulk": ["status"],
  "GET /api/bulk/[id]": ["items"],
  "GET /api/dashboard": ["plant"],
  // queueFilterSchema
  "GET /api/exceptions": ["plant", "interface", "status", "severity", "category", "code", "assignee", "age", "q", "fingerprint", "sort", "cursor", "limit"],
  "GET /api/findings": ["plant", "interface", "kind", "process", "status", "assignee", "sort", "cursor", "limit"], // findingFilterSchema
  "GET /api/findings/[id]": ["q"],
  "GET /api/findings/plants/[code]": ["q"],
  "GET /api/processes": ["q"],
  "GET /api/plants": ["q"],
  "GET /api/plants/[code]/metrics": ["range", "from", "to"], // metricsQuerySchema
  "GET /api/plants/[code]/series": ["range", "from", "to", "interface"],
  "GET /api/plants/[code]/handovers": ["limit", "before"], // listQuerySchema
  "GET /api/notifications": ["limit", "unread"], // server/notifications/list-notifications.ts
  "GET /api/plants/[code]/handovers/[id]": ["q"],
  "GET /api/transactions": ["q", "plant", "interface", "status", "from", "to", "cursor", "limit"], // historyQuerySchema
  "GET /api/transactions/[correlationId]": ["plant"],
  "GET /api/transactions/timeline": ["correlationId", "plant"],
  "GET /api/trace/[kind]/[value]": ["format"],
  "GET /api/admin/dependencies": ["q"],
  "GET /api/runbooks": ["key"],
  "GET /api/runbooks/history": ["key"],
  "GET /api/runbooks/exception/[id]": ["q"],
  "GET /api/views": ["name"],
};

/** Sub-routes of next-auth's catch-all that answer GET. */
const NEXTAUTH_GETS = ["session", "csrf", "signin", "error", "callback/credentials"];

/** Hostile values, written as they go on the wire (already percent-encoded where needed). */
const LONG = "A".repeat(6000);
const HOSTILE: string[] = [
  LONG,
  "",
  "%27",
  "%22",
  "%27%20OR%201%3D1--",
  "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "%00",
  "%ff",
  "%",
  "%25ff",
  "%0D%0ASet-Cookie:%20x=1",
  "%E2%80%AE%F0%9F%92%A5%E4%B8%AD%D8%B9",
  "-1",
  "-99999999999999999999",
  "99999999999999999999999",
  "1e309",
  "NaN",
  "0x10",
  "2026-13-45",
  "0000-01-01T00:00:00Z",
  "2026-01-01T00:00:00%2B99:99",
  "__proto__",
  "%7B%22a%22%3A1%7D",
  "%5B1%2C2%5D",
  "open%2Call%2C%2C",
];
/** Whole query strings: repeated and bracketed names, prototype keys as names. */
const HOSTILE_QUERIES = (name: string) => [`${name}=1&${name}=2`, `${name}[]=1`, "__proto__=1", "constructor[prototype][x]=1"];

/** Tampered cookies, sent beside whatever session the context holds. */
const COOKIES = [
  "next-auth.session-token=garbage",
  "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC",
  "next-auth.callback-url=x'",
  "next-auth.callback-url=%ff",
  "next-auth.csrf-token=%00%7C%00",
  `next-auth.session-token=${"A".repeat(7000)}`,
  `huge=${"B".repeat(7000)}`,
  "__proto__=1; constructor=2",
];

const ID = "00000000-0000-4000-8000-000000000000";
/** Hostile values for a path segment ([id], [code], [correlationId]). */
const HOSTILE_SEGMENTS = ["%27", "%22", "%3Cscript%3E", "%00", "%ff", "%", "%25ff", "a%25b", "..", "%2E%2E%2F%2E%2E", LONG, "-1", "__proto__", "%E2%80%AE"];

function withSegments(route: string, seg: { id?: string; code?: string; correlationId?: string; kind?: string; value?: string } = {}): string {
  return route
    .replace("[...path]", "no-such-route")
    .replace("[kind]", seg.kind ?? "lot")
    .replace("[value]", seg.value ?? "lot-does-not-exist")
    .replace("[code]", seg.code ?? "DE-HAM")
    .replace("[correlationId]", seg.correlationId ?? "corr-does-not-exist")
    .replace("[id]", seg.id ?? ID);
}

/** Every URL to call for one route: each parameter with each hostile value, hostile whole queries, hostile path segments. */
function urlsOf(key: string): string[] {
  const route = key.replace(/^GET /, "");
  const bases = route.includes("[...nextauth]") ? NEXTAUTH_GETS.map((s) => route.replace("[...nextauth]", s)) : [withSegments(route)];
  const urls: string[] = [];
  for (const base of bases) {
    for (const name of QUERY_PARAMS[key]!) {
      for (const value of HOSTILE) {
        // The connector long poll waits as long as asked (up to 30 s): only values it must refuse, or 0.
        if (name === "wait" && Number(value) > 0 && Number(value) <= 30) continue;
        urls.push(`${base}?${name}=${value}${name !== "wait" && key.includes("/replays") ? "&wait=0" : ""}`);
      }
      for (const q of HOSTILE_QUERIES(name)) urls.push(`${base}?${q}${key.includes("/replays") ? "&wait=0" : ""}`);
    }
  }
  for (const seg of HOSTILE_SEGMENTS) {
    if (route.includes("[id]")) urls.push(withSegments(route, { id: seg }));
    if (route.includes("[code]")) urls.push(withSegments(route, { code: seg }));
    if (route.includes("[correlationId]")) urls.push(withSegments(route, { correlationId: seg }));
    if (route.includes("[kind]")) urls.push(withSegments(route, { kind: seg }));
    if (route.includes("[value]")) urls.push(withSegments(route, { value: seg }));
    if (route.includes("[...path]")) urls.push(route.replace("[...path]", `a/${seg}/b`));
  }
  return urls;
}

const GET_ROUTES = () => discoverRoutes().filter((r) => r.startsWith("GET "));

type Call = { url: string; cookie?: string; headers?: Record<string, string> };

/**
 * Calls each URL (a few at a time) and reads each answer to its end; lists every 5xx, every answer cut
 * off (a stream that failed after its 200), and every HTML page that reflects the script unescaped.
 */
async function sweep(request: APIRequestContext, calls: Call[], who: string): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < calls.length) {
      const call = calls[next++]!;
      const headers = { ...call.headers, ...(call.cookie ? { cookie: call.cookie } : {}) };
      const shown = `${call.url.slice(0, 160)}${call.url.length > 160 ? "…" : ""}${call.cookie ? ` [cookie ${call.cookie.slice(0, 60)}]` : ""}`;
      try {
        const res = await request.get(call.url, { headers, maxRedirects: 0, timeout: 15_000 });
        const s = res.status();
        const body = await res.text();
        if (s >= 500) problems.push(`${who}: GET ${shown} → ${s} ${body.slice(0, 200)}`);
        else if (/text\/html/.test(res.headers()["content-type"] ?? "") && body.includes("<script>alert(1)</script>")) {
          problems.push(`${who}: GET ${shown} reflects the script unescaped in HTML`);
        }
        await res.dispose();
      } catch (err) {
        problems.push(`${who}: GET ${shown} → no complete answer (${(err as Error).message.split("\n")[0]})`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return problems;
}

/** Each route's plain URL(s) with each tampered cookie. */
function cookieCallsFor(key: string): Call[] {
  const route = key.replace(/^GET /, "");
  const plain = route.includes("[...nextauth]") ? NEXTAUTH_GETS.map((s) => route.replace("[...nextauth]", s)) : [withSegments(route)];
  return plain.flatMap((url) => COOKIES.map((cookie) => ({ url: key.includes("/replays") ? `${url}?wait=0` : url, cookie })));
}

test.describe("GET routes under a scanner's hostile input", () => {
  test("every GET route of the code has its query parameters listed, including each one its route file reads", () => {
    expect(GET_ROUTES().sort()).toEqual(Object.keys(QUERY_PARAMS).sort());
    for (const key of GET_ROUTES()) {
      const src = readFileSync(routeFile(key), "utf8");
      for (const m of src.matchAll(/searchParams\.get\("([^"]+)"\)/g)) expect(QUERY_PARAMS[key], `${key} reads ?${m[1]}`).toContain(m[1]);
    }
  });

  /**
   * Anonymous sweeps the routes open to it (the others answer 401 before reading anything but the
   * cookies, which it sends everywhere). Each signed-in persona sweeps the routes that the ones before it
   * may not read (they answered 403): the operator all of them, the administrator the administration,
   * the auditor the audit export.
   */
  const personas = [
    { label: "anonymous", email: null, before: [] as string[] },
    { label: "operator", email: "operator@andon.local", before: [] as string[] },
    { label: "admin", email: "admin@andon.local", before: ["operator@andon.local"] },
    { label: "auditor", email: "auditor@andon.local", before: ["operator@andon.local", "admin@andon.local"] },
  ];
  for (const persona of personas) {
    test(`${persona.label}: hostile query values, path segments and cookies never answer 5xx`, async ({ playwright, baseURL }) => {
      test.setTimeout(120_000);
      const plainStatuses = (context: APIRequestContext, keys: string[]) =>
        Promise.all(keys.map(async (key) => (await context.get(urlsOf(key)[0]!.replace(/\?.*$/, ""), { maxRedirects: 0 })).status()));
      let routes = GET_ROUTES();
      for (const email of persona.before) {
        const other = await playwright.request.newContext({ baseURL });
        await signIn(other, email);
        const statuses = await plainStatuses(other, routes);
        routes = routes.filter((_, i) => statuses[i] === 403);
        await other.dispose();
      }
      const request = await playwright.request.newContext({ baseURL });
      if (persona.email) await signIn(request, persona.email);
      const cookieRoutes = routes;
      if (!persona.email) {
        const statuses = await plainStatuses(request, routes);
        routes = routes.filter((_, i) => statuses[i] !== 401);
      }
      // Tampered cookies go out from a copy of the session: next-auth answers a bad session token by
      // clearing the cookie, which must not sign the sweep of query values out half-way.
      const tamper = await playwright.request.newContext({ baseURL, storageState: await request.storageState() });
      const calls: Call[] = routes.flatMap((key) => urlsOf(key).map((url) => ({ url })));
      // The connector route past its key check: with a real key, as a connector would call it.
      if (persona.label === "operator") {
        const authorization = `Bearer ${await connectorKey("DE-HAM", "SAP_ERP")}`;
        calls.push(...urlsOf("GET /api/connectors/v1/replays").map((url) => ({ url, headers: { authorization } })));
      }
      const [problems, cookieProblems] = await Promise.all([
        sweep(request, calls, persona.label),
        sweep(tamper, cookieRoutes.flatMap(cookieCallsFor), persona.label),
      ]);
      expect([...problems, ...cookieProblems]).toEqual([]);

      // Healthy afterwards: the health check passes, the session still holds, a normal request answers as it should.
      expect((await request.get("/api/health")).status()).toBe(200);
      const session = (await (await request.get("/api/auth/session")).json()) as { user?: { email?: string } };
      expect(session.user?.email).toBe(persona.email ?? undefined);
      const normal = await request.get("/api/exceptions?status=open&limit=5");
      expect(normal.status()).toBe(persona.email ? 200 : 401);
      if (persona.email) expect(Array.isArray(((await normal.json()) as { items?: unknown[] }).items)).toBe(true);
      await Promise.all([request.dispose(), tamper.dispose()]);
    });
  }
});
