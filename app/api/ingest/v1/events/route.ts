import { NextResponse } from "next/server";
import { authenticateConnector } from "@/server/connectors/keys";
import { handler } from "@/server/http/handler";
import { readIngestBody } from "@/server/ingest/body";
import { ingestEvents } from "@/server/ingest/ingest-events";

export const dynamic = "force-dynamic";

/** The body is read under the ingest's own caps (readIngestBody), not the handler's. */
export const POST = handler(
  async (req: Request) => {
    const connector = await authenticateConnector(req.headers.get("authorization"));
    const items = await readIngestBody(req);
    return NextResponse.json(await ingestEvents(connector, items));
  },
  { maxBodyBytes: null },
);
