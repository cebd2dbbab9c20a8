import { type Server, createServer } from "node:http";
import { z } from "zod";
import { DRY_RUN_UNSUPPORTED, type ReplayHandler, type ReplayJob, runReplayHandler } from "./replay";
import { REPLAY_HEADERS, verifyReplay } from "./replay-signature";

/**
 * Push mode, connector side: an HTTP endpoint the portal POSTs replay jobs to. Each request must be
 * signed (HMAC over timestamp + body) and fresh; the handler's outcome is the answer. The handler gets
 * the job's idempotency key, the same for every retry of one replay, and passes it to the target.
 */
const jobSchema = z.object({
  replayId: z.string(),
  idempotencyKey: z.string().min(1),
  plantCode: z.string(),
  interface: z.string(),
  messageId: z.string(),
  correlationId: z.string(),
  payload: z.unknown(),
  attempt: z.number().int().min(1),
  dryRun: z.boolean().optional(),
});

export async function startReplayPushServer(opts: {
  secret: string;
  handler: ReplayHandler;
  port?: number;
  host?: string;
  timeoutMs?: number;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 6 * 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on("end", () => {
      void (async () => {
        const answer = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        if (req.method !== "POST") return answer(405, { error: "POST replay jobs here" });
        const body = Buffer.concat(chunks).toString("utf8");
        const verdict = verifyReplay({
          secret: opts.secret,
          signature: req.headers[REPLAY_HEADERS.signature] as string | undefined,
          timestamp: req.headers[REPLAY_HEADERS.timestamp] as string | undefined,
          body,
        });
        if (verdict !== "ok") return answer(401, { error: verdict });
        let job: ReplayJob;
        try {
          job = jobSchema.parse(JSON.parse(body)) as ReplayJob;
        } catch (err) {
          return answer(400, { error: `invalid replay job: ${(err as Error).message}` });
        }
        if (req.headers[REPLAY_HEADERS.idempotencyKey] !== job.idempotencyKey) return answer(400, { error: "Idempotency-Key header and job disagree" });
        if (job.dryRun) {
          // A dry run goes to the handler's check (the target's test mode), never to deliver.
          const check = opts.handler.check?.bind(opts.handler);
          if (!check)
            return answer(200, {
              status: "failed",
              category: "technical",
              code: DRY_RUN_UNSUPPORTED,
              message: `this connector cannot dry-run ${job.interface}: its target has no test mode here, nothing was checked`,
              durationMs: 0,
            });
          return answer(200, await runReplayHandler({ deliver: check }, job, { timeoutMs: opts.timeoutMs ?? 60_000 }));
        }
        answer(200, await runReplayHandler(opts.handler, job, { timeoutMs: opts.timeoutMs ?? 60_000 }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}/replay`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
