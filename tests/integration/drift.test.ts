import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { db, pool } from "../../server/db";
import * as enums from "../../server/db/generated/enums";

/**
 * Schema drift guard: the Prisma schema (what the generated client believes) must match what the
 * committed migrations produce. Prisma's own `migrate diff` needs the schema engine, which cannot be
 * installed here, so this compares the client's runtime data model (+ nullability and lists from
 * schema.prisma) with the migrated database's catalog.
 */
type RuntimeField = { name: string; kind: "scalar" | "enum" | "object"; type: string; dbName?: string };
type RuntimeModel = { dbName: string | null; fields: RuntimeField[] };

const runtime = (db() as unknown as { _runtimeDataModel: { models: Record<string, RuntimeModel> } })._runtimeDataModel;

function schemaFieldModifiers(): Map<string, { optional: boolean; list: boolean }> {
  const text = readFileSync("prisma/schema.prisma", "utf8");
  const out = new Map<string, { optional: boolean; list: boolean }>();
  for (const block of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    for (const line of block[2]!.split("\n")) {
      const m = line.match(/^\s+(\w+)\s+(\w+)(\?|\[\])?/);
      if (m && !line.trim().startsWith("@@") && !line.trim().startsWith("//")) {
        out.set(`${block[1]}.${m[1]}`, { optional: m[3] === "?", list: m[3] === "[]" });
      }
    }
  }
  return out;
}

const COMPATIBLE: Record<string, string[]> = {
  String: ["text", "uuid", "character", "character varying"],
  DateTime: ["timestamp with time zone"],
  Int: ["integer", "smallint"],
  BigInt: ["bigint"],
  Boolean: ["boolean"],
  Json: ["jsonb"],
  Float: ["double precision"],
  Decimal: ["numeric"],
};

describe("schema drift (schema.prisma vs migrated database)", () => {
  it("has the runtime data model available", () => {
    expect(Object.keys(runtime.models).length).toBeGreaterThan(0);
  });

  it("every model and column exists with a compatible type and nullability, and nothing extra", async () => {
    const { rows } = await pool().query<{ table_name: string; column_name: string; data_type: string; is_nullable: "YES" | "NO"; udt_name: string }>(
      `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.udt_name FROM information_schema.columns c
       JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace
       WHERE c.table_schema = 'public' AND c.table_name NOT IN ('_prisma_migrations', 'socket_io_attachments') -- the latter belongs to the socket.io adapter
         AND NOT k.relispartition -- day partitions of telemetry_event are the parent table's storage`,
    );
    const dbColumns = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
    const modifiers = schemaFieldModifiers();
    const expected = new Set<string>();
    const problems: string[] = [];
    for (const [modelName, model] of Object.entries(runtime.models)) {
      const table = model.dbName ?? modelName;
      for (const f of model.fields.filter((x) => x.kind !== "object")) {
        const key = `${table}.${f.dbName ?? f.name}`;
        expected.add(key);
        const col = dbColumns.get(key);
        const mod = modifiers.get(`${modelName}.${f.name}`);
        if (!col) {
          problems.push(`missing column ${key} (${modelName}.${f.name})`);
          continue;
        }
        if (mod?.list) {
          if (col.data_type !== "ARRAY") problems.push(`${key} should be an array, is ${col.data_type}`);
        } else if (f.kind === "enum") {
          if (col.data_type !== "USER-DEFINED") problems.push(`${key} should be an enum, is ${col.data_type}`);
        } else if (!COMPATIBLE[f.type]?.includes(col.data_type)) {
          problems.push(`${key}: ${f.type} is not compatible with ${col.data_type}`);
        }
        // Prisma lists are nullable columns in PostgreSQL; every other field's nullability must match.
        if (!mod?.list && (col.is_nullable === "YES") !== Boolean(mod?.optional)) {
          problems.push(`${key}: nullable in database = ${col.is_nullable}, optional in schema = ${Boolean(mod?.optional)}`);
        }
      }
    }
    for (const key of dbColumns.keys()) if (!expected.has(key)) problems.push(`column ${key} exists in the database but not in schema.prisma`);
    expect(problems).toEqual([]);
  });

  it("enum values match", async () => {
    const { rows } = await pool().query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' GROUP BY t.typname`,
    );
    const inDb = Object.fromEntries(rows.map((r) => [r.typname, r.labels]));
    const schema = readFileSync("prisma/schema.prisma", "utf8");
    const problems: string[] = [];
    for (const [name, values] of Object.entries(enums)) {
      const mapped = schema.match(new RegExp(`enum ${name} \\{[\\s\\S]*?@@map\\("(\\w+)"\\)`))?.[1] ?? name;
      const dbValues = inDb[mapped];
      if (!dbValues) problems.push(`enum ${name} (${mapped}) missing in database`);
      else if (JSON.stringify(Object.values(values as object)) !== JSON.stringify(dbValues))
        problems.push(`enum ${name}: ${Object.values(values as object)} vs ${dbValues}`);
    }
    expect(problems).toEqual([]);
  });
});
