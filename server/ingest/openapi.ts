import { z } from "zod";
import { MAX_JSON_DEPTH } from "../http/json-depth";
import { INGEST_LIMITS, errorBodySchema, heartbeatSchema, ingestEventSchema, ingestResultSchema } from "./schema";

/** OpenAPI 3.1 document of the ingest API, generated from the same zod schemas that validate it. */
export function ingestOpenApi(): Record<string, unknown> {
  const json = (schema: z.ZodType, io: "input" | "output" = "output") => z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" });
  const error = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
  return {
    openapi: "3.1.0",
    info: {
      title: "Andon ingest API",
      version: "1.0.0",
      description:
        "Connectors report every message's outcome and latency, and failed transactions with payload and error. " +
        `Batches of up to ${INGEST_LIMITS.maxEventsPerRequest} events and ${INGEST_LIMITS.maxRequestBytes / 1024 / 1024} MB; ` +
        "idempotent by (connector, eventId); acknowledged only after commit.",
    },
    servers: [{ url: "/api/ingest/v1" }],
    security: [{ connectorKey: [] }],
    paths: {
      "/events": {
        post: {
          summary: "Send a batch of events",
          description:
            "Each item is validated on its own: good items are stored even when others are rejected. Send the same eventId again " +
            "(e.g. after a timeout) and it is counted as a duplicate, never stored twice. gzip accepted (Content-Encoding: gzip). " +
            "In a 200 answer, accepted + duplicates + rejected.length always equals the number of items sent, and rejected[].index is " +
            "the item's position in the body (array index, or NDJSON line among the non-empty lines). More than the limits is 413. " +
            `Each payload is at most ${INGEST_LIMITS.maxPayloadBytes / 1024} KB and error.details at most ${INGEST_LIMITS.maxErrorDetailsBytes / 1024} KB (as JSON), ` +
            `and an event nests objects and arrays at most ${MAX_JSON_DEPTH} levels deep (counted from the event).`,
          requestBody: {
            required: true,
            // OpenAPI 3.1 allows no description on a Media Type Object: the NDJSON form is explained here.
            description: "A JSON array of events (application/json), or one event per line (application/x-ndjson)",
            content: {
              "application/json": { schema: { type: "array", maxItems: INGEST_LIMITS.maxEventsPerRequest, items: { $ref: "#/components/schemas/Event" } } },
              "application/x-ndjson": { schema: { $ref: "#/components/schemas/Event" } },
            },
          },
          responses: {
            "200": { description: "Per-item results", content: { "application/json": { schema: { $ref: "#/components/schemas/IngestResult" } } } },
            "400": error("The body is not a JSON array / NDJSON, not UTF-8, or not gzip as declared"),
            "401": error("Missing, unknown or revoked connector key"),
            "403": error("The connector was disabled by an administrator (`connector_disabled`), or an item names an interface of another plant"),
            "413": error("More than the event or byte limit"),
            "415": error("Unsupported Content-Type or Content-Encoding"),
          },
        },
      },
      "/heartbeat": {
        post: {
          summary: "Report connector health",
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/Heartbeat" } } } },
          responses: {
            "204": { description: "Recorded" },
            "400": error("Invalid heartbeat"),
            "401": error("Missing, unknown or revoked connector key"),
            "403": error("The connector was disabled by an administrator (`connector_disabled`)"),
          },
        },
      },
    },
    components: {
      securitySchemes: { connectorKey: { type: "http", scheme: "bearer", description: "The connector's API key, issued by an administrator" } },
      schemas: {
        Event: json(ingestEventSchema, "input"),
        IngestResult: json(ingestResultSchema),
        Heartbeat: json(heartbeatSchema, "input"),
        Error: json(errorBodySchema),
      },
    },
  };
}
