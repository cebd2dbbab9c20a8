import { authenticateConnector } from "@/server/connectors/keys";
import { handler } from "@/server/http/handler";
import { recordHeartbeat } from "@/server/ingest/heartbeat";

export const dynamic = "force-dynamic";

export const POST = handler(async (req: Request) => {
  const connector = await authenticateConnector(req.headers.get("authorization"));
  await recordHeartbeat(connector, await req.json());
  return new Response(null, { status: 204 });
});
