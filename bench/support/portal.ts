import { DEMO_PASSWORD } from "../../prisma/seed";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/**
 * The real portal for the HTTP benchmarks: started like `npm start` (same node flags, production
 * build, demo users seeded, simulator off) on the given database; ready when /api/health answers.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export type Portal = { baseUrl: string; process: ChildProcess; stop: () => Promise<void> };

export async function startPortal(databaseUrl: string, opts: { port?: number; env?: Record<string, string> } = {}): Promise<Portal> {
  const port = opts.port ?? (await freePort());
  const flags = (process.env.BENCH_NODE_FLAGS ?? "--max-old-space-size=384 --max-semi-space-size=8").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...flags, "--import", "tsx", "server/index.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      NEXTAUTH_SECRET: "bench-secret-0123456789abcdef0123456789",
      ANDON_DEMO: "true",
      ANDON_SIM: "false",
      ANDON_DATA_DIR: ".andon/bench",
      LOG_LEVEL: "warn",
      ...opts.env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if ((await fetch(`${baseUrl}/api/health`).catch(() => null))?.ok) break;
    if (i > 240) {
      await stop();
      throw new Error("server did not become ready");
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { baseUrl, process: child, stop };
}

/** Signs in through next-auth's credentials endpoint; returns the Cookie header of the session. */
export async function signIn(baseUrl: string, email: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(";");
      const i = pair!.indexOf("=");
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  keep(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password: DEMO_PASSWORD, json: "true" }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in of ${email} failed (${res.status})`);
  return cookie();
}
