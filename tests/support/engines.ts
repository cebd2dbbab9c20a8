import { appendFileSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Optional engines (Redis, NATS, MQTT…): the tests that need one run where it answers, and are reported
 * as not run, with the reason, elsewhere (a fresh machine has none of them). Under CI=true a missing
 * engine fails the run instead: the CI machines run them all. `npm test` lists the tests that did not
 * run at its end (it passes ANDON_TEST_NOT_RUN, the file the reasons are appended to).
 *
 *   const redis = await optionalEngine({ name: "Redis", url: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", variable: "TEST_REDIS_URL" });
 *   redis.it("carries an emit …", async () => { … });   // or redis.describe(…)
 */
export type EngineSpec = {
  name: string;
  /** Where the tests will connect (redis://, nats://, mqtt:// …; the port is the one probed). */
  url: string;
  /** The environment variable that points the tests at another instance. */
  variable: string;
};

export type Decision = { run: true } | { run: false; reason: string };
type Env = Record<string, string | undefined>;

const DEFAULT_PORTS: Record<string, number> = { "redis:": 6379, "rediss:": 6380, "nats:": 4222, "mqtt:": 1883, "mqtts:": 8883, "amqp:": 5672 };

export function address(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(u.port) || DEFAULT_PORTS[u.protocol] || 0 };
}

export const isCI = (env: Env = process.env) => ["true", "1", "yes"].includes((env.CI ?? "").trim().toLowerCase());

/** Run, or not run and why; under CI=true an engine that does not answer is an error. */
export function decide(spec: EngineSpec, reachable: boolean, env: Env = process.env): Decision {
  if (reachable) return { run: true };
  const { host, port } = address(spec.url);
  const why = `${spec.name} is not reachable at ${host}:${port}`;
  if (isCI(env)) throw new Error(`${why}, and CI=true requires every engine the tests use: start it, or point ${spec.variable} at one`);
  return { run: false, reason: `${why} (start it, or point ${spec.variable} at one)` };
}

/** Whether something accepts a TCP connection at host:port within `timeoutMs`. */
export function probe(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export type Engine = {
  available: boolean;
  reason: string | null;
  /** `it` for a test that needs the engine: not run (and reported) where it is unreachable. */
  it: (title: string, fn: () => Promise<void> | void, timeout?: number) => void;
  /** `describe` for a group that needs the engine: not run (and reported) where it is unreachable. */
  describe: (title: string, fn: () => void) => void;
};

/** Probes the engine once (at collection) and gives the `it`/`describe` that run only where it answers. */
export async function optionalEngine(spec: EngineSpec): Promise<Engine> {
  const { host, port } = address(spec.url);
  const decision = decide(spec, await probe(host, port));
  const reason = decision.run ? null : decision.reason;
  const file = path.relative(process.cwd(), expect.getState().testPath ?? "unknown test file");
  if (reason) console.warn(`${file}: the tests that need ${spec.name} do not run: ${reason}`);
  const notRun = (title: string) => recordNotRun({ file, title, reason: reason! });
  return {
    available: decision.run,
    reason,
    it: (title, fn, timeout) => {
      if (decision.run) return it(title, fn, timeout);
      notRun(title);
      it.skip(title, fn);
    },
    describe: (title, fn) => {
      if (decision.run) return describe(title, fn);
      notRun(title);
      describe.skip(title, fn);
    },
  };
}

/** One line per test (or group) that did not run, in the file `npm test` reads at its end. */
function recordNotRun(entry: { file: string; title: string; reason: string }): void {
  const target = process.env.ANDON_TEST_NOT_RUN;
  if (!target) return;
  mkdirSync(path.dirname(target), { recursive: true });
  appendFileSync(target, `${JSON.stringify(entry)}\n`);
}
