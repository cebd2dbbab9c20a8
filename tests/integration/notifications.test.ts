import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import { errorResponse } from "../../server/http/handler";
import { upsertNotifications } from "../../server/notifications/deliver";
import { listNotifications } from "../../server/notifications/list-notifications";
import { markAllNotificationsRead, markNotificationRead } from "../../server/notifications/mark-read";

/**
 * In-app notifications: a person reads only their own (another's is a 404, never a 403 that says it
 * exists), newest first with the unread count; a subject notified again collapses into its row (count,
 * unread again); hostile ids and query strings are 4xx, never a 5xx.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let alice: Actor, bob: Actor;
let plantId = "";
const statusOf = async (p: Promise<unknown>) => p.then(() => 200).catch((e) => errorResponse(e).status);

async function notify(userIds: string[], subjectId: string, count: number, at: Date, title = `Stopped flow ${subjectId}`) {
  return db().$transaction((tx) =>
    upsertNotifications(tx, {
      userIds,
      plantId,
      subjectType: "alert",
      subjectId,
      level: "TECHNICAL_OWNER",
      severity: "HIGH",
      title,
      body: "flow stopped",
      href: `/alerts?alert=${randomUUID()}`,
      count,
      at,
    }),
  );
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  plantId = (await db().plant.findUniqueOrThrow({ where: { code: "PL-WRO" } })).id;
  const tag = randomUUID().slice(0, 8);
  const mk = async (name: string) =>
    (await loadPrincipal(
      (
        await db().user.create({ data: { email: `${name}.${tag}@notif.test`, name, role: "VIEWER", passwordHash: "x", plants: { create: [{ plantId }] } } })
      ).id,
    ))!;
  alice = await mk("alice");
  bob = await mk("bob");
});

describe("notifications", () => {
  it("each person lists only their own, newest first, with the unread count; a repeat collapses into the row", async () => {
    const t = Date.now() - 3600_000;
    await notify([alice.id, bob.id], "r1:iface:a", 1, new Date(t));
    await notify([alice.id], "r2:iface:b", 1, new Date(t + 60_000));
    const notices = await notify([alice.id], "r1:iface:a", 2, new Date(t + 120_000), "Stopped flow again");
    expect(notices).toEqual([expect.objectContaining({ userId: alice.id, count: 2, title: "Stopped flow again" })]);
    const mine = await listNotifications(alice);
    expect(mine.unread).toBe(2);
    expect(mine.items.map((n) => [n.title, n.count])).toEqual([
      ["Stopped flow again", 2],
      ["Stopped flow r2:iface:b", 1],
    ]);
    expect(mine.items[0]).toMatchObject({ plantCode: "PL-WRO", plantTimezone: "Europe/Warsaw", level: "TECHNICAL_OWNER" });
    const theirs = await listNotifications(bob);
    expect(theirs.items.map((n) => n.title)).toEqual(["Stopped flow r1:iface:a"]);
    expect(theirs.unread).toBe(1);
  });

  it("marking read: own only (another person's is a 404), idempotent; mark all; a repeat makes it unread again", async () => {
    const [bobs] = (await listNotifications(bob)).items;
    const [alices] = (await listNotifications(alice)).items;
    await expect(markNotificationRead(alice, bobs!.id)).rejects.toMatchObject({ status: 404 });
    expect((await db().notification.findUniqueOrThrow({ where: { id: bobs!.id } })).readAt).toBeNull();
    const first = await markNotificationRead(alice, alices!.id);
    expect(first.unread).toBe(1);
    expect((await markNotificationRead(alice, alices!.id)).readAt).toBe(first.readAt);
    expect(await markAllNotificationsRead(alice)).toEqual({ marked: 1, unread: 0 });
    expect((await listNotifications(alice, { unread: "1" })).items).toEqual([]);
    expect((await listNotifications(bob)).unread).toBe(1);
    await notify([alice.id], "r1:iface:a", 3, new Date());
    const again = await listNotifications(alice, { unread: "true" });
    expect(again.items.map((n) => [n.count, n.readAt])).toEqual([[3, null]]);
  });

  it("hostile ids and query strings are 4xx", async () => {
    for (const id of ["not-a-uuid", "", "../../etc/passwd", `${randomUUID()}'; DROP TABLE notification; --`, "\u0000", randomUUID()])
      expect(await statusOf(markNotificationRead(alice, id)), JSON.stringify(id)).toBe(404);
    for (const q of [{ limit: "abc" }, { limit: "-1" }, { limit: "1e9" }, { limit: "0" }, { unread: "maybe" }, { limit: ["1", "2"] }])
      expect(await statusOf(listNotifications(alice, q)), JSON.stringify(q)).toBe(400);
    expect(await statusOf(listNotifications(alice, { limit: "5", other: "ignored" }))).toBe(200);
    // An inactive or unknown role has no notifications.
    expect(await statusOf(listNotifications({ ...alice, role: "NOBODY" }))).toBe(403);
    expect(await statusOf(markAllNotificationsRead({ ...alice, active: false }))).toBe(403);
  });
});
