/**
 * A replay target that crashes (reliability scenario 4): the SDK's signed push endpoint in front of a
 * durable, idempotent applier. Each idempotency key is applied at most once; an application is
 * appended and fsynced to APPLIED_FILE before the answer. Every CRASH_EVERY-th new application the
 * process dies right after committing it, before answering — the response is lost, as when a target
 * crashes mid-delivery — and the runner starts it again on the same PORT.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { startReplayPushServer } from "../../connectors/sdk";

const file = process.env.APPLIED_FILE!;
const crashEvery = Number(process.env.CRASH_EVERY ?? 0);
const applied = new Set(existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);
let sinceStart = 0;

const push = await startReplayPushServer({
  secret: process.env.REPLAY_SECRET!,
  port: Number(process.env.PORT),
  host: "127.0.0.1",
  handler: {
    deliver: async (job) => {
      if (!applied.has(job.idempotencyKey)) {
        applied.add(job.idempotencyKey);
        appendFileSync(file, `${job.idempotencyKey}\n`);
        const fd = openSync(file, "r");
        fsyncSync(fd);
        closeSync(fd);
        if (crashEvery && ++sinceStart % crashEvery === 0) process.exit(137); // committed, never answered
      }
      return { status: "delivered", durationMs: 0 };
    },
  },
});
process.stdout.write(`${JSON.stringify({ url: push.url })}\n`);
