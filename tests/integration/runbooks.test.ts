import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { append } from "../../server/audit";
import { type Prisma, db } from "../../server/db";
import { fingerprint } from "../../server/exceptions/fingerprint";
import { exceptionRunbook } from "../../server/runbooks/exception-runbook";
import { currentRunbook, runbookHistory } from "../../server/runbooks/load-runbooks";
import { bodyHash, saveRunbook } from "../../server/runbooks/save-runbook";
import { type Actor, actor } from "../support/replay-flow";

/**
 * Issue 20, runbooks and "what fixed it before": versioned markdown per error code or failure group,
 * written by approvers and admins only, audited with the body's hash, rendered inert whatever the
 * markdown holds; the group's runbook before the code's; and the counts of how earlier members of the
 * group (else the code at the plant) were closed, exact.
 */
const RUN = randomUUID().slice(0, 8);
const CODE = `RB-${RUN}`;
let operator: Actor;
let approver: Actor;
let admin: Actor;
let auditor: Actor;
let otherPlantOperator: Actor;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [operator, approver, admin, auditor, otherPlantOperator] = [
    await actor("operator@andon.local"),
    await actor("approver@andon.local"),
    await actor("admin@andon.local"),
    await actor("auditor@andon.local"),
    await actor("operator.wro@andon.local"),
  ];
});

const savedEvents = (key: string) => db().auditEvent.findMany({ where: { type: "runbook.saved", subjectId: key }, orderBy: { id: "asc" } });

describe("runbooks", () => {
  it("each save is a new version, by approvers and admins only, audited with the body hash; history shows the diffs", async () => {
    const key = `code:${CODE}`;
    await expect(saveRunbook(operator, { key, title: "Deficit", body: "x", baseVersion: 0 })).rejects.toMatchObject({ status: 403 });
    await expect(saveRunbook(auditor, { key, title: "Deficit", body: "x", baseVersion: 0 })).rejects.toMatchObject({ status: 403 });
    await expect(saveRunbook(approver, { key: "batch:1", title: "x", body: "x", baseVersion: 0 })).rejects.toMatchObject({ name: "ZodError" });

    const v1 = await saveRunbook(approver, { key, title: "Stock deficit", body: "1. Check the stock in MMBE\n2. Correct the quantity", baseVersion: 0 });
    expect(v1).toMatchObject({ changed: true, runbook: { version: 1 } });
    // The same again: nothing new.
    expect(
      await saveRunbook(approver, { key, title: "Stock deficit", body: "1. Check the stock in MMBE\n2. Correct the quantity", baseVersion: 1 }),
    ).toMatchObject({
      changed: false,
    });
    const body2 = "1. Check the stock in MMBE\n2. Correct the quantity to what is on stock\n3. Replay";
    const v2 = await saveRunbook(admin, { key, title: "Stock deficit (M7 021)", body: body2, baseVersion: 1 });
    expect(v2.runbook.version).toBe(2);
    // A save from an old version is refused, not silently over the newer one.
    await expect(saveRunbook(approver, { key, title: "Old", body: "old", baseVersion: 1 })).rejects.toMatchObject({ status: 409, code: "runbook_changed" });

    expect((await savedEvents(key)).map((e) => e.data)).toEqual([
      expect.objectContaining({ key, version: 1, title: "Stock deficit", bodyHash: bodyHash("1. Check the stock in MMBE\n2. Correct the quantity") }),
      expect.objectContaining({ key, version: 2, title: "Stock deficit (M7 021)", bodyHash: bodyHash(body2) }),
    ]);
    const history = await runbookHistory(key);
    expect(history.map((v) => [v.version, v.author])).toEqual([
      [2, "Ada Admin"],
      [1, "Anna Approver"],
    ]);
    expect(history[0]!.diff.filter((p) => p.removed).map((p) => p.value)).toEqual(["# Stock deficit\n", "2. Correct the quantity"]);
    expect(history[0]!.diff.filter((p) => p.added).map((p) => p.value)).toEqual([
      "# Stock deficit (M7 021)\n",
      "2. Correct the quantity to what is on stock\n3. Replay",
    ]);
  });

  it("two editors save from the same version at once: one version is written, the other told (409)", async () => {
    const key = `code:${CODE}-RACE`;
    const results = await Promise.allSettled([
      saveRunbook(approver, { key, title: "A", body: "a", baseVersion: 0 }),
      saveRunbook(admin, { key, title: "B", body: "b", baseVersion: 0 }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { status: 409 } });
    expect(await db().runbook.count({ where: { key } })).toBe(1);
    expect(await savedEvents(key)).toHaveLength(1);
  });

  it("hostile markdown is rendered inert: no raw HTML, no script or javascript: links, no images", async () => {
    const key = `code:${CODE}-XSS`;
    const body = [
      "<script>alert(1)</script>",
      '<img src=x onerror="alert(2)">',
      "[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://wiki.example.com/m7-021)",
      "![pixel](https://tracker.example.com/p.gif)",
      '<a href="https://evil.example.com" onclick="x()">raw link</a>',
      "**bold** and `code`",
    ].join("\n\n");
    await saveRunbook(approver, { key, title: "<b>Title</b>", body, baseVersion: 0 });
    const r = await currentRunbook([key]);
    const html = r!.html;
    // No element but the markdown's own: every tag in the output is one of these, with no event handler attribute.
    const tags = [...html.matchAll(/<([a-z0-9]+)([^>]*)>/gi)].map((m) => [m[1]!.toLowerCase(), m[2]!]);
    expect(new Set(tags.map(([t]) => t))).toEqual(new Set(["p", "a", "strong", "code"]));
    expect(tags.filter(([, attrs]) => /\son\w+=|javascript:|data:/i.test(attrs!))).toEqual([]);
    expect(html).not.toMatch(/<img|<script|<b>/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain('<a href="https://wiki.example.com/m7-021" rel="noopener noreferrer nofollow" target="_blank">ok</a>');
    expect(html).toContain("<strong>bold</strong>");
    expect(r!.title).toBe("<b>Title</b>"); // shown as text by React, never as HTML
  });
});

// ---- what fixed it before ----

const MESSAGE = `Deficit of BA Unrestricted-use 25.000 KG : RM-0815 1000 0001 B2026-118 ${RUN}`;

async function closedException(input: {
  plant: string;
  code?: string;
  message?: string;
  how: { patch: { op: string; path: string; value?: unknown }[] } | "as_is" | "recovered" | { discarded: string } | "open";
  daysAgo?: number;
}) {
  const plant = await db().plant.findUniqueOrThrow({ where: { code: input.plant } });
  const iface = await db().interface.findUniqueOrThrow({ where: { code: "GOODS_MOVEMENT" } });
  const connector = await db().connector.findFirstOrThrow({ where: { plantId: plant.id, system: { kind: "SAP_ERP" } } });
  const at = new Date(Date.now() - (input.daysAgo ?? 1) * 86_400_000);
  const code = input.code ?? CODE;
  const message = input.message ?? MESSAGE;
  const t = await db().transaction.create({
    data: {
      plantId: plant.id,
      interfaceId: iface.id,
      messageId: `rb-${randomUUID()}`,
      correlationId: randomUUID(),
      status: input.how === "open" ? "FAILED" : "DELIVERED",
      firstSeenAt: at,
      lastEventAt: at,
      payload: { batch: "B2026-118", quantity: 25 },
    },
  });
  const how = input.how;
  const status = how === "open" ? "NEW" : typeof how === "object" && "discarded" in how ? "DISCARDED" : "RESOLVED";
  const resolution = how === "recovered" ? "recovered_at_source" : status === "RESOLVED" ? "replayed" : status === "DISCARDED" ? "discarded" : null;
  const e = await db().exception.create({
    data: {
      plantId: plant.id,
      interfaceId: iface.id,
      transactionId: t.id,
      fingerprint: fingerprint("GOODS_MOVEMENT", code, message),
      category: "BUSINESS",
      severity: "HIGH",
      status,
      errorCode: code,
      errorMessage: message,
      firstSeenAt: at,
      lastSeenAt: at,
      slaDueAt: at,
      createdAt: at,
      resolvedAt: status === "NEW" ? null : at,
      resolution,
    },
  });
  if (typeof how === "object" && "patch" in how) {
    const c = await db().correction.create({
      data: {
        exceptionId: e.id,
        authorId: operator.id,
        approverId: approver.id,
        status: "APPROVED",
        patch: how.patch as unknown as Prisma.InputJsonValue,
        payload: {},
        payloadHash: randomUUID(),
        approvedPayloadHash: null,
      },
    });
    await db().replay.create({
      data: {
        exceptionId: e.id,
        connectorId: connector.id,
        correctionId: c.id,
        idempotencyKey: `rb-${randomUUID()}`,
        payload: {},
        requestedById: operator.id,
        mode: "push",
        status: "SUCCEEDED",
        finishedAt: at,
      },
    });
  }
  if (how === "as_is")
    await db().replay.create({
      data: {
        exceptionId: e.id,
        connectorId: connector.id,
        idempotencyKey: `rb-${randomUUID()}`,
        payload: {},
        requestedById: operator.id,
        mode: "push",
        status: "SUCCEEDED",
        finishedAt: at,
      },
    });
  if (typeof how === "object" && "discarded" in how)
    await db().$transaction((tx) =>
      append(tx, {
        type: "exception.discarded",
        actor: { type: "user", id: operator.id, label: operator.email },
        plantId: plant.id,
        subject: { type: "exception", id: e.id },
        data: { reason: how.discarded, statusFrom: "NEW" },
      }),
    );
  return e;
}

describe("what fixed it before", () => {
  it("counts how earlier members of the group were closed, exactly, with an example each; falls back to the error code at the plant", async () => {
    const batch = { patch: [{ op: "replace", path: "/batch", value: "B2026-119" }] };
    const both = {
      patch: [
        { op: "replace", path: "/batch", value: "B2026-120" },
        { op: "replace", path: "/items/0/quantity", value: 20 },
      ],
    };
    const items1 = { patch: [{ op: "replace", path: "/items/1/quantity", value: 5 }] };
    const a = await closedException({ plant: "DE-HAM", how: batch, daysAgo: 3 });
    const b = await closedException({ plant: "DE-HAM", how: both, daysAgo: 2 });
    await closedException({ plant: "PL-WRO", how: items1, daysAgo: 4 });
    await closedException({ plant: "DE-HAM", how: "as_is" });
    await closedException({ plant: "DE-HAM", how: "as_is" });
    await closedException({ plant: "DE-HAM", how: "recovered" });
    await closedException({ plant: "DE-HAM", how: { discarded: "Duplicate of a manual posting" } });
    // Not counted: still open, older than 90 days, another group (other code), another group's member at another plant.
    await closedException({ plant: "DE-HAM", how: "open" });
    await closedException({ plant: "DE-HAM", how: batch, daysAgo: 120 });
    const current = await closedException({ plant: "DE-HAM", how: "open" });

    const seen = await exceptionRunbook(operator, current.id);
    expect(seen.suggestions.basis).toBe("group");
    expect(seen.suggestions.items.map((i) => [i.kind, i.detail, i.count])).toEqual([
      ["corrected_field", "/batch", 2],
      ["corrected_field", "/items/*/quantity", 2],
      ["replayed_as_is", null, 2],
      ["discarded", "Duplicate of a manual posting", 1],
      ["recovered_at_source", null, 1],
    ]);
    // The example is the latest one.
    expect(seen.suggestions.items[0]!.exampleId).toBe(b.id);
    expect(a.id).not.toBe(b.id);

    // Someone who sees only PL-WRO does not get DE-HAM's exception (404), and sees only PL-WRO's members elsewhere.
    await expect(exceptionRunbook(otherPlantOperator, current.id)).rejects.toMatchObject({ status: 404 });

    // A failure of another group with the same code at the plant: no closed member of its group, so the code at DE-HAM counts (not PL-WRO).
    const lone = await closedException({ plant: "DE-HAM", how: "open", message: `Another text ${RUN} without digits` });
    const fallback = await exceptionRunbook(operator, lone.id);
    expect(fallback.suggestions.basis).toBe("code");
    expect(fallback.suggestions.items.map((i) => [i.kind, i.detail, i.count])).toEqual([
      ["corrected_field", "/batch", 2],
      ["replayed_as_is", null, 2],
      ["corrected_field", "/items/*/quantity", 1],
      ["discarded", "Duplicate of a manual posting", 1],
      ["recovered_at_source", null, 1],
    ]);
  });

  it("the group's runbook comes first, else the error code's", async () => {
    const code = `${CODE}-PICK`;
    const e = await closedException({ plant: "DE-HAM", how: "open", code });
    expect((await exceptionRunbook(operator, e.id)).runbook).toBeNull();
    await saveRunbook(approver, { key: `code:${code}`, title: "For the code", body: "code", baseVersion: 0 });
    expect((await exceptionRunbook(operator, e.id)).runbook).toMatchObject({ key: `code:${code}`, title: "For the code" });
    await saveRunbook(approver, { key: `group:${e.fingerprint}`, title: "For the group", body: "group", baseVersion: 0 });
    const seen = await exceptionRunbook(operator, e.id);
    expect(seen).toMatchObject({ runbook: { key: `group:${e.fingerprint}`, title: "For the group", version: 1 }, canWrite: false });
    expect((await exceptionRunbook(approver, e.id)).canWrite).toBe(true);
  });
});
