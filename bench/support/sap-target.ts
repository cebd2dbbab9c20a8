/**
 * The plant side of the replay benchmark, in its own process (as at a plant): the SDK's signed push
 * endpoint in front of either the SAP emulator (TARGET=sap: IDoc inbound over HTTP, idempotency
 * keys, stock postings) or a minimal idempotent target (TARGET=ack: applies each idempotency key
 * once in memory and acknowledges) that isolates Andon's side of the pipeline. Talks to the benchmark
 * over IPC: announces its URL, answers { report: keys } with how often each key was applied.
 */
import { sapReplayHandler, startSapEmulator } from "../../connectors/sap";
import { type ReplayHandler, startReplayPushServer } from "../../connectors/sdk";

const STOCK = { material: "RM-4711", plant: "1000", storageLocation: "0001" };

async function main() {
  const secret = process.env.REPLAY_SECRET!;
  let handler: ReplayHandler;
  let applications: (key: string) => number;
  let stock = () => 0;
  let close = async () => {};
  if (process.env.TARGET === "ack") {
    const applied = new Map<string, number>();
    handler = {
      deliver: async (job) => {
        if (!applied.has(job.idempotencyKey)) applied.set(job.idempotencyKey, 1);
        return { status: "delivered", durationMs: 0 };
      },
    };
    applications = (k) => applied.get(k) ?? 0;
  } else {
    const sap = await startSapEmulator({ port: 0 });
    sap.setStock(STOCK, Number(process.env.STOCK ?? 1_000_000));
    handler = sapReplayHandler(sap.url);
    applications = (k) => sap.applications(k);
    stock = () => sap.stock(STOCK);
    close = () => sap.close();
  }
  const push = await startReplayPushServer({ secret, handler });
  process.on("message", (m: { report?: string[] }) => {
    if (m.report) process.send!({ applications: m.report.map(applications), stock: stock() });
  });
  process.on("disconnect", () => void Promise.all([push.close(), close()]).then(() => process.exit(0)));
  process.send!({ url: push.url });
}

void main();
