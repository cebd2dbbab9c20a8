import { type ChildProcess, spawn } from "node:child_process";
import { type Server, createServer } from "node:http";
import path from "node:path";
import next from "next";
import { ensureAuthSecret, prepareDatabase, printDemoLogins } from "./boot";
import { config } from "./config";
import { closeDb } from "./db";
import { logger } from "./log";
import { checkHealth } from "./health";
import { invalidRequestUrl } from "./http/request-url";
import { createClusterAdapter } from "./realtime/cluster";
import { attachRealtime, closePublisher, startPublisher } from "./realtime/server";
import { setIo } from "./realtime/publish";
import { type Workers, startQueueClient, startWorkers } from "./workers";

const log = logger("server");

export async function main({ dev }: { dev: boolean }): Promise<void> {
  // A stray rejected promise is a bug to log, not a reason to drop every plant's live connection.
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled promise rejection"));
  const role = config().ROLE;
  if (role !== "all" && !config().DATABASE_URL) {
    throw new Error(`ROLE=${role} runs beside other instances: set DATABASE_URL to the PostgreSQL they share (the embedded database is for a single instance)`);
  }
  const { url, embedded } = await prepareDatabase();
  const secret = await ensureAuthSecret();
  const cfg = config();
  process.env.NEXTAUTH_URL ??= `http://localhost:${cfg.PORT}`;
  const web = role !== "worker";

  let server: Server;
  if (web) {
    const app = next({ dev, hostname: cfg.HOST, port: cfg.PORT });
    await app.prepare();
    const handle = app.getRequestHandler();
    server = createServer((req, res) => {
      const invalid = invalidRequestUrl(req.url ?? "/");
      if (invalid) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "invalid_url", message: invalid } }));
        return;
      }
      handle(req, res).catch((err: unknown) => {
        log.error({ err, url: req.url }, "request failed");
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end("Internal error");
        }
      });
    });
  } else {
    // A worker serves its health only (for the orchestrator); everything else is the web instances'.
    server = createServer((req, res) => {
      if (req.url === "/api/health") {
        void checkHealth().then((h) => {
          res.writeHead(h.status === "ok" ? 200 : 503, { "content-type": "application/json" });
          res.end(JSON.stringify({ ...h, role }));
        });
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "not_found", message: "This is a worker instance (ROLE=worker): it serves /api/health only" } }));
    });
  }
  // Live events reach the browsers of every instance through the cluster adapter.
  const cluster = await createClusterAdapter();
  // Next.js handles its own HMR upgrades in dev; socket.io only claims /socket.io.
  const io = web ? attachRealtime(server, { secret, adapter: cluster.adapter }) : startPublisher(cluster.adapter);
  const workers: Workers = role === "web" ? await startQueueClient(url) : await startWorkers(url);

  // Idle keep-alive connections stay open longer than a client or a proxy in front keeps them idle. Node's
  // default (5 s) closes a connection at the moment a client may be sending its next request on it: that
  // client sees ECONNRESET ("socket hang up") for a request the server never read.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.PORT, cfg.HOST, resolve);
  });
  log.info({ port: cfg.PORT, dev, role, adapter: cluster.kind }, "listening");
  if (web) printDemoLogins(cfg.PORT);
  const simulator = web && cfg.ANDON_DEMO && cfg.ANDON_SIM ? startSimulatorProcess(cfg.PORT, cfg.ANDON_DATA_DIR, cfg.ANDON_SIM_RATE) : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.error("shutdown took too long, exiting");
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      await stopChild(simulator);
      setIo(undefined);
      // io.close() disconnects the sockets and closes the HTTP server: no new connections, in-flight
      // requests finish, idle keep-alive connections are closed (Node >= 19 does that in close()).
      // This instance's sockets only (not the cluster's), told why, with a moment for the packet to flush.
      io.local.disconnectSockets(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (web) await new Promise<void>((resolve) => io.close(() => resolve()));
      else {
        await closePublisher(io);
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await workers.stop();
      await cluster.close();
      await closeDb();
      await embedded?.stop();
      log.info("stopped cleanly");
      process.exit(0);
    } catch (err) {
      log.error({ err }, "error during shutdown");
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGHUP", () => void shutdown("SIGHUP"));
}

/**
 * The demo plant simulator runs as its own process (as real connectors would), talking to this
 * portal over HTTP with the demo connector keys. Its output is prefixed with [sim].
 */
function startSimulatorProcess(port: number, dataDir: string, rate: number): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "connectors/sim/cli.ts",
      "--url",
      `http://127.0.0.1:${port}`,
      "--keys",
      path.join(dataDir, "demo-connector-keys.json"),
      "--journal",
      path.join(dataDir, "sim"),
      "--rate",
      String(rate),
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  child.on("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM") log.warn({ code, signal }, "plant simulator exited");
  });
  log.info({ rate }, "plant simulator started (ANDON_SIM=false turns it off)");
  return child;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timeout = new Promise<void>((resolve) =>
    setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, 8_000).unref(),
  );
  await Promise.race([exited, timeout]);
}
