/**
 * A pull-mode SAP connector for the kill test: leases replay jobs from the portal and delivers them to
 * the SAP emulator. With HANG_AFTER_DELIVERY=1 it hangs after SAP has posted, before reporting back —
 * the test SIGKILLs it there. Environment: BASE_URL, API_KEY, SAP_URL, VISIBILITY_S.
 */
import { sapReplayHandler } from "../../connectors/sap/replay-handler";
import { startReplayPuller } from "../../connectors/sdk";

const env = (name: string) => process.env[name] ?? "";
const sap = sapReplayHandler(env("SAP_URL"));
startReplayPuller({
  baseUrl: env("BASE_URL"),
  apiKey: env("API_KEY"),
  waitS: 2,
  visibilityS: Number(env("VISIBILITY_S") || "3"),
  handler: {
    async deliver(job) {
      const outcome = await sap.deliver(job);
      process.stdout.write(`delivered-to-sap ${job.idempotencyKey} ${outcome.status}\n`);
      if (env("HANG_AFTER_DELIVERY") === "1") await new Promise(() => undefined); // killed here
      return outcome;
    },
  },
  onError: (e) => process.stderr.write(`puller: ${e.message}\n`),
});
process.stdout.write("polling\n");
