import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { THROTTLE, authenticate } from "../../server/auth/authenticate";
import { hashPassword } from "../../server/auth/password";
import { db } from "../../server/db";

async function makeUser(password: string, active = true) {
  const email = `user-${randomUUID()}@test.local`;
  await db().user.create({ data: { email, name: "Test", role: "OPERATOR", passwordHash: await hashPassword(password), active } });
  return email;
}

async function lastFailure(email: string) {
  const row = await db().auditEvent.findFirst({ where: { type: "auth.sign_in_failed", actorLabel: email }, orderBy: { id: "desc" } });
  return (row?.data as { reason?: string } | undefined)?.reason;
}

describe("authenticate (credentials sign-in)", () => {
  it("accepts the right password, case-insensitive email, and audits the sign-in", async () => {
    const email = await makeUser("correct horse");
    const user = await authenticate({ email: email.toUpperCase(), password: "correct horse" }, { ip: "10.1.2.3" });
    expect(user?.email).toBe(email);
    const row = await db().auditEvent.findFirst({ where: { type: "auth.sign_in", actorId: user!.id } });
    expect(row?.data).toEqual({ ip: "10.1.2.3" });
  });

  it("refuses and audits wrong passwords, unknown users, inactive users and malformed input", async () => {
    const email = await makeUser("correct horse");
    expect(await authenticate({ email, password: "wrong" }, { ip: null })).toBeNull();
    expect(await lastFailure(email)).toBe("bad_password");
    const ghost = `ghost-${randomUUID()}@test.local`;
    expect(await authenticate({ email: ghost, password: "x" }, { ip: null })).toBeNull();
    expect(await lastFailure(ghost)).toBe("unknown_user");
    const inactive = await makeUser("pw", false);
    expect(await authenticate({ email: inactive, password: "pw" }, { ip: null })).toBeNull();
    expect(await lastFailure(inactive)).toBe("inactive");
    expect(await authenticate({ email: "not-an-email", password: 3 }, { ip: null })).toBeNull();
    expect(await lastFailure("not-an-email")).toBe("malformed");
  });

  it(`throttles an email after ${THROTTLE.maxFailures} failures, even with the right password, without affecting others`, async () => {
    const email = await makeUser("right");
    const other = await makeUser("right");
    for (let i = 0; i < THROTTLE.maxFailures; i++) expect(await authenticate({ email, password: `wrong-${i}` }, { ip: null })).toBeNull();
    expect(await authenticate({ email, password: "right" }, { ip: null })).toBeNull();
    expect(await lastFailure(email)).toBe("throttled");
    expect(await authenticate({ email: other, password: "right" }, { ip: null })).not.toBeNull();
  });
});
