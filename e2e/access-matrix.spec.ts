import { readFileSync } from "node:fs";
import { DEMO_USERS } from "../prisma/seed";
import { PERMISSIONS, type Action } from "../server/policy";
import { randomUUID } from "node:crypto";
import { connectorKey, expect, query, reportFailure, signIn, test } from "./fixtures";
import { discoverRoutes, files } from "./support/routes";

/**
 * Access-control matrix, discovered from the code: every route handler (app/api/**\/route.ts and the
 * HTTP methods it exports), every socket event a client may send and every server action must have an
 * entry here — a new one without an entry fails this test. Each entry is then called over real HTTP as
 * anonymous and as every demo persona: anonymous is 401 (connector routes too, without a key); a role
 * the policy does not allow is 403/404; a role it allows is never 401/403; a plant outside the persona's
 * scope is 404; nothing answers 5xx. Object routes are called with an id that does not exist (404 for
 * everyone signed in: existence is never revealed to the wrong role either), and the plant-scoped ones
 * again with real objects of an own and an other plant (second describe below).
 */
type Rule = { kind: "public" } | { kind: "connector" } | { kind: "user"; action: Action | null; plant?: true; object?: true };

const ROUTES: Record<string, Rule> = {
  "GET /api/[...path]": { kind: "public" },
  "POST /api/[...path]": { kind: "public" },
  "PUT /api/[...path]": { kind: "public" },
  "PATCH /api/[...path]": { kind: "public" },
  "DELETE /api/[...path]": { kind: "public" },
  "GET /api/health": { kind: "public" },
  "GET /api/ingest/v1/openapi.json": { kind: "public" },
  "GET /api/auth/[...nextauth]": { kind: "public" },
  "POST /api/auth/[...nextauth]": { kind: "public" },
  "POST /api/ingest/v1/events": { kind: "connector" },
  "POST /api/ingest/v1/heartbeat": { kind: "connector" },
  "POST /api/connectors/v1/replay-endpoint": { kind: "connector" },
  "GET /api/connectors/v1/replays": { kind: "connector" },
  "POST /api/connectors/v1/replays/[id]/result": { kind: "connector" },
  "GET /api/admin/users": { kind: "user", action: "user.manage" },
  "POST /api/admin/users": { kind: "user", action: "user.manage" },
  "PATCH /api/admin/users/[id]": { kind: "user", action: "user.manage", object: true },
  "GET /api/admin/connectors": { kind: "user", action: "connector.manage" },
  "POST /api/admin/connectors": { kind: "user", action: "connector.manage" },
  "PATCH /api/admin/connectors/[id]": { kind: "user", action: "connector.manage", object: true },
  "POST /api/admin/connectors/[id]/key": { kind: "user", action: "connector.manage", object: true },
  "POST /api/admin/connectors/[id]/service": { kind: "user", action: "connector.manage", object: true },
  "GET /api/admin/interfaces": { kind: "user", action: "interface.manage" },
  "PATCH /api/admin/interfaces/[id]": { kind: "user", action: "interface.manage", object: true },
  "GET /api/admin/interfaces/[id]/schemas": { kind: "user", action: "interface.manage", object: true },
  "POST /api/admin/interfaces/[id]/schemas": { kind: "user", action: "interface.manage", object: true },
  "GET /api/admin/calendar/[code]": { kind: "user", action: "calendar.manage", plant: true },
  "POST /api/admin/calendar/[code]/shifts": { kind: "user", action: "calendar.manage", plant: true, object: true },
  "PUT /api/admin/calendar/[code]/shifts/[id]": { kind: "user", action: "calendar.manage", plant: true, object: true },
  "DELETE /api/admin/calendar/[code]/shifts/[id]": { kind: "user", action: "calendar.manage", plant: true, object: true },
  "POST /api/admin/calendar/[code]/entries": { kind: "user", action: "calendar.manage", plant: true, object: true },
  "DELETE /api/admin/calendar/[code]/entries/[id]": { kind: "user", action: "calendar.manage", plant: true, object: true },
  "GET /api/admin/flows/[code]": { kind: "user", action: "expectation.manage", plant: true },
  "PUT /api/admin/flows/[code]/[interface]/expectation": { kind: "user", action: "expectation.manage", plant: true, object: true },
  "GET /api/admin/flows/[code]/[interface]/suggestion": { kind: "user", action: "expectation.manage", plant: true, object: true },
  "PUT /api/admin/flows/[code]/[interface]/schedule": { kind: "user", action: "expectation.manage", plant: true, object: true },
  "GET /api/admin/owners/[code]": { kind: "user", action: "owner.manage", plant: true },
  "PUT /api/admin/owners/[code]": { kind: "user", action: "owner.manage", plant: true, object: true },
  "PUT /api/admin/owners/[code]/[interface]": { kind: "user", action: "owner.manage", plant: true, object: true },
  "GET /api/admin/escalation": { kind: "user", action: "owner.manage" },
  "PUT /api/admin/escalation/[criticality]": { kind: "user", action: "owner.manage", object: true },
  "POST /api/admin/monitor/run": { kind: "user", action: "expectation.manage" },
  "GET /api/admin/retention": { kind: "user", action: "retention.manage" },
  "PATCH /api/admin/retention": { kind: "user", action: "retention.manage" },
  "GET /api/alerts": { kind: "user", action: "alert.read" },
  "POST /api/alerts/[id]/acknowledge": { kind: "user", action: "alert.handle", object: true },
  "POST /api/alerts/[id]/assign": { kind: "user", action: "alert.handle", object: true },
  "POST /api/alerts/[id]/resolve": { kind: "user", action: "alert.handle", object: true },
  "POST /api/alerts/evaluate": { kind: "user", action: "alert_rule.manage" },
  "GET /api/alerts/rules": { kind: "user", action: "alert.read" },
  "POST /api/alerts/rules": { kind: "user", action: "alert_rule.manage" },
  "PATCH /api/alerts/rules/[id]": { kind: "user", action: "alert_rule.manage", object: true },
  "GET /api/alerts/webhooks": { kind: "user", action: "alert_rule.manage" },
  "POST /api/alerts/webhooks": { kind: "user", action: "alert_rule.manage" },
  "PATCH /api/alerts/webhooks/[id]": { kind: "user", action: "alert_rule.manage", object: true },
  "GET /api/audit/export": { kind: "user", action: "audit.export" },
  "POST /api/audit/verify": { kind: "user", action: "audit.verify" },
  "GET /api/bulk": { kind: "user", action: null },
  "POST /api/bulk": { kind: "user", action: null },
  "GET /api/bulk/[id]": { kind: "user", action: null, object: true },
  "POST /api/bulk/[id]/cancel": { kind: "user", action: null, object: true },
  "POST /api/bulk/preview": { kind: "user", action: "exception.correct" },
  "POST /api/corrections/[id]/approve": { kind: "user", action: "correction.approve", object: true },
  "POST /api/corrections/[id]/reject": { kind: "user", action: "correction.approve", object: true },
  "POST /api/corrections/[id]/submit": { kind: "user", action: "exception.correct", object: true },
  "GET /api/dashboard": { kind: "user", action: "dashboard.read" },
  "GET /api/exceptions": { kind: "user", action: "exception.read" },
  "POST /api/exceptions/[id]/assign": { kind: "user", action: "exception.triage", object: true },
  "POST /api/exceptions/[id]/comments": { kind: "user", action: "exception.comment", object: true },
  "POST /api/exceptions/[id]/correction": { kind: "user", action: "exception.correct", object: true },
  "POST /api/exceptions/[id]/discard": { kind: "user", action: "exception.discard", object: true },
  "POST /api/exceptions/[id]/replay": { kind: "user", action: "exception.replay_technical", object: true },
  "POST /api/replay-requests/[id]/approve": { kind: "user", action: "replay.approve", object: true },
  "POST /api/replay-requests/[id]/reject": { kind: "user", action: "replay.approve", object: true },
  "GET /api/findings": { kind: "user", action: "finding.read" },
  "GET /api/findings/[id]": { kind: "user", action: "finding.read", object: true },
  "POST /api/findings/[id]/acknowledge": { kind: "user", action: "finding.handle", object: true },
  "POST /api/findings/[id]/assign": { kind: "user", action: "finding.handle", object: true },
  "GET /api/findings/plants/[code]": { kind: "user", action: "finding.read", plant: true },
  "GET /api/processes": { kind: "user", action: "finding.read" },
  "GET /api/notifications": { kind: "user", action: "notification.read" },
  "POST /api/notifications/[id]/read": { kind: "user", action: "notification.read", object: true },
  "POST /api/notifications/read-all": { kind: "user", action: "notification.read" },
  "GET /api/plants": { kind: "user", action: "plant.read" },
  "POST /api/plants": { kind: "user", action: "plant.create" },
  "PATCH /api/plants/[code]": { kind: "user", action: "plant.update", plant: true },
  "GET /api/plants/[code]/metrics": { kind: "user", action: "dashboard.read", plant: true },
  "GET /api/plants/[code]/series": { kind: "user", action: "dashboard.read", plant: true },
  "GET /api/plants/[code]/handovers": { kind: "user", action: "dashboard.read", plant: true },
  "GET /api/plants/[code]/handovers/[id]": { kind: "user", action: "dashboard.read", plant: true, object: true },
  "PUT /api/plants/[code]/handovers/[id]": { kind: "user", action: "handover.write", plant: true, object: true },
  "POST /api/plants/[code]/handovers/[id]/acknowledge": { kind: "user", action: "handover.acknowledge", plant: true, object: true },
  "GET /api/transactions": { kind: "user", action: "transaction.read" },
  "GET /api/transactions/[correlationId]": { kind: "user", action: "transaction.read", object: true },
  "GET /api/transactions/timeline": { kind: "user", action: "transaction.read" },
  "GET /api/trace/[kind]/[value]": { kind: "user", action: "trace.read", object: true },
  "GET /api/admin/dependencies": { kind: "user", action: "dependency.manage" },
  "POST /api/admin/dependencies": { kind: "user", action: "dependency.manage" },
  "PATCH /api/admin/dependencies/[id]": { kind: "user", action: "dependency.manage", object: true },
  "DELETE /api/admin/dependencies/[id]": { kind: "user", action: "dependency.manage", object: true },
  "PUT /api/admin/dependencies/auto-replay/[code]": { kind: "user", action: "dependency.manage", object: true },
  "GET /api/runbooks": { kind: "user", action: null },
  "POST /api/runbooks": { kind: "user", action: "runbook.write" },
  "GET /api/runbooks/history": { kind: "user", action: null },
  "GET /api/runbooks/exception/[id]": { kind: "user", action: "exception.read", object: true },
  "POST /api/corrections/[id]/dry-run": { kind: "user", action: "correction.dry_run", object: true },
  "GET /api/views": { kind: "user", action: "exception.read" },
  "POST /api/views": { kind: "user", action: "exception.read" },
  "DELETE /api/views/[id]": { kind: "user", action: "exception.read", object: true },
};
/** Socket events a client may emit: each is checked by the policy on the server (e2e/realtime.spec.ts). */
const SOCKET_EVENTS = ["plants.subscribe", "plants.unsubscribe"];

test.describe("access-control matrix", () => {
  test("every route handler, socket event and server action of the code has an entry", () => {
    expect(discoverRoutes().sort()).toEqual(Object.keys(ROUTES).sort());
    const events = readFileSync("server/realtime/events.ts", "utf8").match(/interface ClientToServerEvents \{([\s\S]*?)\n\}/)![1]!;
    expect([...events.matchAll(/"([a-z.]+)":/g)].map((m) => m[1]).sort()).toEqual(SOCKET_EVENTS.sort());
    const actions = ["app", "components", "server"]
      .flatMap(files)
      .filter((f) => /\.(ts|tsx)$/.test(f) && /^\s*["']use server["']/m.test(readFileSync(f, "utf8")));
    expect(actions, "server actions need matrix entries before they are added").toEqual([]);
  });

  const personas = [
    { email: null, role: "ANONYMOUS", plants: [] as string[] | "all" },
    ...DEMO_USERS.map((u) => ({ email: u.email, role: u.role as string, plants: u.plants })),
  ];
  for (const persona of personas) {
    test(`${persona.role} ${persona.email ?? ""}: allowed where the policy allows, refused elsewhere, never a 5xx`, async ({ playwright, baseURL }) => {
      test.setTimeout(120_000);
      const request = await playwright.request.newContext({ baseURL });
      if (persona.email) await signIn(request, persona.email);
      const problems: string[] = [];
      for (const [key, rule] of Object.entries(ROUTES)) {
        const [method, route] = key.split(" ") as [string, string];
        const url = route
          .replace("[...path]", "no-such-route")
          .replace("[...nextauth]", "session")
          .replace("[code]", "DE-HAM")
          .replace("[correlationId]", "corr-does-not-exist")
          .replace("[kind]", "lot")
          .replace("[value]", "lot-does-not-exist")
          .replace("[id]", "00000000-0000-4000-8000-000000000000");
        const res = await request.fetch(url, { method, data: method === "GET" || method === "DELETE" ? undefined : {}, maxRedirects: 0 });
        const s = res.status();
        const fail = (why: string) => problems.push(`${key} as ${persona.role}: ${s} (${why})`);
        if (s >= 500) fail("server error");
        if (rule.kind === "public") continue;
        if (rule.kind === "connector") {
          if (s !== 401) fail("a connector route without a key must be 401");
          continue;
        }
        if (!persona.email) {
          if (s !== 401) fail("anonymous must be 401");
          continue;
        }
        const allowed = rule.action === null || (PERMISSIONS[rule.action] as readonly string[]).includes(persona.role);
        const seesPlant = persona.plants === "all" || persona.plants.includes("DE-HAM");
        if (!allowed) {
          if (![403, 404].includes(s)) fail("the policy does not allow this role: expected 403 or 404");
        } else if (rule.plant && !seesPlant) {
          if (s !== 404) fail("a plant outside the persona's scope must be 404");
        } else if (rule.object) {
          if (![400, 404].includes(s)) fail("an object that does not exist must be 404 (or a 400 for the empty body)");
        } else if ([401, 403, 404].includes(s)) fail("the policy allows this role");
      }
      await request.dispose();
      expect(problems).toEqual([]);
    });
  }
});

/**
 * The plant-scoped object routes with real objects: an exception, its transaction and a submitted
 * correction at DE-HAM and at US-CLT. For each persona: an object of a plant outside their scope is 404
 * when their role may act (403 or 404 when it may not); inside their scope a refused role is 403/404 and
 * an allowed read is 200. Allowed mutations are the journeys' business (they would change the objects);
 * the refusals here change nothing, which the test checks at the end.
 */
const OBJECT_ROUTES = Object.entries(ROUTES).filter(([key]) => /\/api\/(exceptions|corrections)\/\[id\]\/|\/api\/transactions\/\[correlationId\]$/.test(key));

test.describe("access-control matrix on own-plant and other-plant objects", () => {
  type Objects = { exception: string; correction: string; correlationId: string; assignee: string | null };
  const objects: Record<string, Objects> = {};

  test.beforeAll(async ({ playwright, baseURL }) => {
    const request = await playwright.request.newContext({ baseURL });
    const [author] = await query<{ id: string }>("SELECT id FROM app_user WHERE email = 'operator@andon.local'");
    for (const plant of ["DE-HAM", "US-CLT"]) {
      const exception = await reportFailure(request, await connectorKey(plant, "SAP_ERP"), {
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        businessKey: `GM-M-${randomUUID().slice(0, 6)}`,
        code: "M7-021",
        message: "Deficit of SL Unrestricted-use 12 PC",
      });
      const [t] = await query<{ correlation_id: string }>(
        "SELECT t.correlation_id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE e.id = $1",
        [exception],
      );
      const [c] = await query<{ id: string }>(
        `INSERT INTO correction (id, exception_id, author_id, status, patch, payload, payload_hash, reason, submitted_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, 'SUBMITTED', '[]', '{"note":"e2e"}', 'matrix', 'matrix probe', now(), now()) RETURNING id`,
        [exception, author!.id],
      );
      // A new exception goes to the flow's technical owner, if it has one: the baseline the refusals must not change.
      const [a] = await query<{ assignee_id: string | null }>("SELECT assignee_id FROM exception WHERE id = $1", [exception]);
      objects[plant] = { exception, correction: c!.id, correlationId: t!.correlation_id, assignee: a!.assignee_id };
    }
    await request.dispose();
  });

  const personas = DEMO_USERS.map((u) => ({ email: u.email, role: u.role as string, plants: u.plants }));
  for (const persona of personas) {
    test(`${persona.role} ${persona.email}: real objects of own and other plants`, async ({ playwright, baseURL }) => {
      const request = await playwright.request.newContext({ baseURL });
      await signIn(request, persona.email);
      const problems: string[] = [];
      for (const plant of Object.keys(objects)) {
        const o = objects[plant]!;
        const sees = persona.plants === "all" || persona.plants.includes(plant);
        for (const [key, rule] of OBJECT_ROUTES) {
          if (rule.kind !== "user" || !rule.action) continue;
          const [method, route] = key.split(" ") as [string, string];
          const allowed = (PERMISSIONS[rule.action] as readonly string[]).includes(persona.role);
          if (sees && allowed && method !== "GET") continue;
          const url = route
            .replace("[correlationId]", encodeURIComponent(o.correlationId))
            .replace("[id]", route.startsWith("/api/corrections") ? o.correction : o.exception);
          const res = await request.fetch(url, { method, data: method === "GET" ? undefined : {}, maxRedirects: 0 });
          const s = res.status();
          const fail = (why: string) => problems.push(`${key} on a ${plant} object as ${persona.role} ${persona.email}: ${s} (${why})`);
          if (!sees && allowed && s !== 404) fail("an object of a plant outside the scope must be 404");
          else if (!allowed && ![403, 404].includes(s)) fail("the policy does not allow this role: expected 403 or 404");
          else if (sees && allowed && s !== 200) fail("an allowed read of an own-plant object must be 200");
        }
      }
      await request.dispose();
      expect(problems).toEqual([]);
    });
  }

  test("the refusals changed nothing", async () => {
    for (const o of Object.values(objects)) {
      const [e] = await query<{ status: string; assignee_id: string | null }>("SELECT status, assignee_id FROM exception WHERE id = $1", [o.exception]);
      expect(e).toMatchObject({ status: "NEW", assignee_id: o.assignee });
      const [c] = await query<{ status: string; approver_id: string | null }>("SELECT status, approver_id FROM correction WHERE id = $1", [o.correction]);
      expect(c).toMatchObject({ status: "SUBMITTED", approver_id: null });
      expect(await query("SELECT 1 FROM exception_comment WHERE exception_id = $1", [o.exception])).toEqual([]);
      expect(await query("SELECT 1 FROM replay WHERE exception_id = $1", [o.exception])).toEqual([]);
    }
  });
});
