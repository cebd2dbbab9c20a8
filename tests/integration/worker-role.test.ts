import { spawn } from "node:child_process";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { freePort } from "../../bench/support/portal";
import { createFreshDatabase } from "../support/database";

/**
 * A ROLE=worker instance (jobs, a publisher socket.io server on the cluster adapter, /api/health)
 * starts and stops cleanly on SIGTERM. It once hung 20 s and exited 1: io.close() of the unattached
 * publisher rejected before its callback.
 */
let fresh: Awaited<ReturnType<typeof createFreshDatabase>>;
beforeAll(async () => {
  // Its own database: a worker on the shared one would take other test files' jobs.
  fresh = await createFreshDatabase(inject("databaseUrl"), "andon_worker_role");
});
afterAll(async () => {
  await fresh.drop();
});

it("a worker instance answers health and stops cleanly on SIGTERM", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: fresh.url,
      ROLE: "worker",
      PORT: String(port),
      HOST: "127.0.0.1",
      ANDON_DEMO: "false",
      NEXTAUTH_SECRET: "w".repeat(40),
      NODE_ENV: "production",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));

  let health: { status?: string; role?: string } | undefined;
  for (let i = 0; i < 60 && !health; i++) {
    await new Promise((r) => setTimeout(r, 500));
    health = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => (r.ok ? r.json() : undefined),
      () => undefined,
    );
  }
  expect(health, output).toBeDefined();

  const t0 = Date.now();
  child.kill("SIGTERM");
  const code = await exited;
  expect(code, output).toBe(0);
  expect(Date.now() - t0).toBeLessThan(10_000);
  expect(output).toContain("stopped cleanly");
  expect(output).not.toContain("unhandled promise rejection");
}, 60_000);
