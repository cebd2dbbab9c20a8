import { describe, expect, it } from "vitest";
import { AppError, isDatabaseUnavailable } from "./errors";

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a terminated backend (57P01)", Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["a connection dropped mid-query", new Error("Connection terminated unexpectedly")],
    ["a pool timeout", new Error("timeout exceeded when trying to connect")],
    ["too many clients (53300)", Object.assign(new Error("sorry, too many clients already"), { code: "53300" })],
    ["Prisma's adapter error wrapping one", Object.assign(new Error("Invalid `prisma.plant.findMany()` invocation"), { cause: Object.assign(new Error("x"), { originalCode: "57P01" }) })],
  ])("recognises %s", (_, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ["a unique violation", Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" })],
    ["a client mistake", new AppError(400, "invalid", "bad")],
    ["a plain bug", new TypeError("x is undefined")],
    ["nothing", undefined],
  ])("does not mistake %s for an outage", (_, err) => expect(isDatabaseUnavailable(err)).toBe(false));
});
