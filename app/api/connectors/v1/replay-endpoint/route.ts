import { authenticateConnector } from "@/server/connectors/keys";
import { registerReplayEndpoint } from "@/server/connectors/replay-endpoint";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** POST {url, secret}: where this connector receives signed push replays. */
export const POST = handler(async (req: Request) => {
  const connector = await authenticateConnector(req.headers.get("authorization"));
  await registerReplayEndpoint(connector, await req.json());
  return new Response(null, { status: 204 });
});
