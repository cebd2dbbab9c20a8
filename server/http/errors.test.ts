import { describe, expect, it } from "vitest";
import { AppError, ClientAbortedError, isDatabaseUnavailable, isRefusedValue } from "./errors";

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a terminated backend (57P01)", Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })],
    ["a connection dropped mid-query", new Error("Connection terminated unexpectedly")],
    ["a pool timeout", new Error("timeout exceeded when trying to connect")],
    ["too many clients (53300)", Object.assign(new Error("sorry, too many clients already"), { code: "53300" })],
    [
      "Prisma's adapter error wrapping one",
      Object.assign(new Error("Invalid `prisma.plant.findMany()` invocation"), { cause: Object.assign(new Error("x"), { originalCode: "57P01" }) }),
    ],
  ])("recognises %s", (_, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ["a unique violation", Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" })],
    ["a client mistake", new AppError(400, "invalid", "bad")],
    ["a plain bug", new TypeError("x is undefined")],
    ["a client that reset its upload (ECONNRESET from the request)", new ClientAbortedError(Object.assign(new Error("aborted"), { code: "ECONNRESET" }))],
    ["nothing", undefined],
  ])("does not mistake %s for an outage", (_, err) => expect(isDatabaseUnavailable(err)).toBe(false));
});

describe("isRefusedValue", () => {
  it.each([
    ["a NUL in text (22021)", Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" })],
    ["an out-of-range number (22003)", Object.assign(new Error("value out of range"), { code: "22003" })],
    [
      "a key too large to index (54000), wrapped by Prisma",
      Object.assign(new Error("Invalid invocation"), { cause: Object.assign(new Error("x"), { originalCode: "54000" }) }),
    ],
    [
      "a NUL refused through Prisma's known request error (meta.driverAdapterError)",
      Object.assign(new Error("Invalid invocation"), {
        code: "P2010",
        meta: { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "22021", kind: "postgres" } } },
      }),
    ],
  ])("takes %s for the request's fault (400)", (_, err) => expect(isRefusedValue(err)).toBe(true));

  it.each([
    ["an outage", Object.assign(new Error("terminating connection"), { code: "57P01" })],
    ["a unique violation", Object.assign(new Error("duplicate key"), { code: "23505" })],
    ["a plain bug", new TypeError("x is undefined")],
  ])("does not take %s for a refused value", (_, err) => expect(isRefusedValue(err)).toBe(false));
});
