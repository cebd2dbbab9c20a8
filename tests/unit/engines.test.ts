import { type AddressInfo, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { address, decide, isCI, probe } from "../support/engines";

/**
 * Issue 16, point 6: tests that need an optional engine (Redis, NATS, MQTT) run where it answers, are
 * reported as not run with the reason elsewhere, and fail the run under CI=true.
 */
const redis = { name: "Redis", url: "redis://127.0.0.1:6399", variable: "TEST_REDIS_URL" };

describe("optional engines", () => {
  let listening: ReturnType<typeof createServer>;
  let open: number, closed: number;
  beforeAll(async () => {
    const free = () =>
      new Promise<number>((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
          const { port } = s.address() as AddressInfo;
          s.close(() => resolve(port));
        });
      });
    closed = await free();
    listening = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    open = (listening.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => listening.close(() => resolve())));

  it("an engine that answers runs its tests, with or without CI", async () => {
    expect(await probe("127.0.0.1", open)).toBe(true);
    expect(decide(redis, true, {})).toEqual({ run: true });
    expect(decide(redis, true, { CI: "true" })).toEqual({ run: true });
  });

  it("one that does not answer: its tests do not run, and the reason says where it was looked for and how to point elsewhere", async () => {
    expect(await probe("127.0.0.1", closed)).toBe(false);
    expect(decide(redis, false, {})).toEqual({ run: false, reason: "Redis is not reachable at 127.0.0.1:6399 (start it, or point TEST_REDIS_URL at one)" });
    expect(decide(redis, false, { CI: "false" })).toMatchObject({ run: false });
  });

  it("under CI=true one that does not answer fails the run", () => {
    expect(() => decide(redis, false, { CI: "true" })).toThrow(
      /Redis is not reachable at 127\.0\.0\.1:6399, and CI=true requires every engine the tests use: start it, or point TEST_REDIS_URL at one/,
    );
    expect(isCI({ CI: "1" })).toBe(true);
    expect(isCI({ CI: "" })).toBe(false);
  });

  it("finds the port to probe from the URL, with each protocol's default", () => {
    expect(address("redis://:secret@cache.internal")).toEqual({ host: "cache.internal", port: 6379 });
    expect(address("nats://127.0.0.1:4333")).toEqual({ host: "127.0.0.1", port: 4333 });
    expect(address("mqtt://[::1]")).toEqual({ host: "::1", port: 1883 });
  });
});
