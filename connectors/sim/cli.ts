/**
 * Runs the plant simulator against a running portal:
 *   npm run sim -- --rate 20 --plants 4 --duration 60 [--url http://localhost:3000] [--keys .andon/demo-connector-keys.json]
 *                  [--journal .andon/sim] [--seed 42] [--calm] [--stop-flow PL-WRO:PRODORD_CONFIRM …]
 * The keys file is written by `npm start` in demo mode (ANDON_DEMO=true). --duration 0 runs until stopped.
 * --stop-flow PLANT:INTERFACE (repeatable) stops that flow at its source while the connectors keep heartbeating
 * (the silent stop the flow monitor reports as STOPPED) from the start; each SIGUSR2 switches them: stopped flows
 * start again, running ones stop.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { type DemoKeys, runsFlow, startSimulator } from "./simulator";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    rate: { type: "string", default: "5" },
    plants: { type: "string", default: "4" },
    duration: { type: "string", default: "0" },
    keys: { type: "string", default: ".andon/demo-connector-keys.json" },
    journal: { type: "string", default: ".andon/sim" },
    seed: { type: "string" },
    calm: { type: "boolean", default: false },
    "stop-flow": { type: "string", multiple: true, default: [] },
  },
});

const args = z
  .object({
    url: z.url(),
    rate: z.coerce.number().positive().max(100_000),
    plants: z.coerce.number().int().min(1).max(4),
    duration: z.coerce.number().min(0),
    keys: z.string(),
    journal: z.string(),
    seed: z.coerce.number().int().optional(),
    calm: z.boolean(),
    "stop-flow": z.array(z.string().regex(/^[A-Z0-9-]+:[A-Z][A-Z0-9_]+$/, "--stop-flow takes PLANT:INTERFACE, e.g. PL-WRO:PRODORD_CONFIRM")),
  })
  .parse(values);

let keys: DemoKeys;
try {
  keys = JSON.parse(await readFile(args.keys, "utf8")) as DemoKeys;
} catch {
  console.error(`[sim] cannot read connector keys from ${args.keys}: start the portal once with ANDON_DEMO=true (npm start) to create them`);
  process.exit(2);
}

// A flow the simulated plants do not run is refused before anything starts.
for (const flow of args["stop-flow"]) {
  const [plant, iface] = flow.split(":") as [string, string];
  if (!runsFlow(args.plants, plant, iface)) {
    console.error(`[sim] --stop-flow ${flow}: the simulated plants (${args.plants}) do not run ${iface} at ${plant}`);
    process.exit(2);
  }
}
const sim = await startSimulator({
  portalUrl: args.url,
  keys,
  rate: args.rate,
  plants: args.plants,
  journalRoot: args.journal,
  seed: args.seed,
  disturbances: !args.calm,
});
const stopFlows = () => {
  for (const flow of args["stop-flow"]) {
    const [plant, iface] = flow.split(":") as [string, string];
    sim.stopFlow(plant, iface);
  }
};
stopFlows();
process.on("SIGUSR2", () => {
  const stopped = sim.stoppedFlows();
  if (stopped.length) for (const flow of stopped) sim.resumeFlow(...(flow.split("|") as [string, string]));
  else stopFlows();
});
let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`[sim] stopping (${why}); flushing journals…`);
  await sim.stop();
  console.log(`[sim] ${JSON.stringify(sim.stats())}`);
  process.exit(0);
};
process.once("SIGTERM", () => void stop("SIGTERM"));
process.once("SIGINT", () => void stop("SIGINT"));
if (args.duration > 0) setTimeout(() => void stop(`${args.duration} s elapsed`), args.duration * 1000);
