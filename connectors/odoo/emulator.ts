/**
 * Odoo emulator: an in-memory Odoo 19 that speaks the external APIs like the real server — the
 * JSON-2 API (`POST /json/2/<model>/<method>`, bearer API key), and the deprecated `/jsonrpc` and
 * XML-RPC (`/xmlrpc/2/common|object|db`) — with the same answers, error shapes and exception
 * names, for the tests and the plant simulator. On top of Odoo it offers fault injection, credential rotation, state inspection and
 * Andon's idempotency contract (`kwargs.context.andon_idempotency_key`).
 *
 * Standalone: `node --import tsx connectors/odoo/emulator.ts --port 8069 [--host 127.0.0.1]
 * [--db odoo] [--login admin] [--password admin] [--api-key KEY]`.
 */
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { Row, StoredValue } from "./emulator/fields";
import { formatDatetime } from "./emulator/fields";
import type { EmulatorCall } from "./emulator/http";
import type { Reply } from "./emulator/http";
import { createOdooHttpServer } from "./emulator/http";
import type { OdooEmulatorFaults } from "./emulator/faults";
import { FaultController, emulatorFaultSchema } from "./emulator/faults";
import { createRegistry } from "./emulator/models";
import type { Credentials, RpcServer } from "./emulator/rpc";
import { IdempotencyLedger } from "./emulator/rpc";
import { seedStore } from "./emulator/seed";
import type { Store } from "./emulator/store";

export type { EmulatorCall } from "./emulator/http";
export type { EmulatorFault, FaultPhase, InjectedFailure, OdooEmulatorFaults, PendingFault } from "./emulator/faults";
export type { Credentials } from "./emulator/rpc";
export type { Row as EmulatorRow } from "./emulator/fields";

export interface StartOdooEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  db?: string;
  login?: string;
  password?: string;
  /** An API key accepted in place of the password. */
  apiKey?: string;
  /** uid of the integration user (Odoo: 2 for the first admin). */
  uid?: number;
  companyName?: string;
  /** Odoo 16+ wording of `_sql_constraints` violations ("The operation cannot be completed: ..."). */
  prefixSqlConstraintMessages?: boolean;
  /** Clock for defaults (create_date, date_start, request_date); UTC. */
  now?: () => Date;
  /** Emulator defects (never Odoo errors). Default: console.error. */
  onInternalError?: (error: unknown) => void;
}

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default("127.0.0.1"),
  db: z.string().min(1).default("odoo"),
  login: z.string().min(1).default("admin"),
  password: z.string().min(1).default("admin"),
  apiKey: z.string().min(1).optional(),
  uid: z.number().int().min(2).default(2),
  companyName: z.string().min(1).default("My Company"),
  prefixSqlConstraintMessages: z.boolean().default(false),
});

const storedValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.number().int())]));
const controlFaultSchema = z.object({ fault: emulatorFaultSchema, count: z.number().int().positive().optional() }).strict();

const rotationSchema = z
  .object({ password: z.string().min(1).optional(), apiKey: z.string().min(1).nullable().optional() })
  .refine((value) => value.password !== undefined || value.apiKey !== undefined, "give a new password and/or apiKey");

export interface OdooEmulatorState {
  /** Stored rows of a model, by id (many2one as ids, x2many as id lists). */
  records(model: string): Row[];
  record(model: string, id: number): Row | undefined;
  /** Direct database insert (no business rules, no defaults): arrange test data. Returns the id. */
  insert(model: string, values: Readonly<Record<string, StoredValue>>): number;
  /** Direct database update (no business rules), e.g. force an order to `done`. */
  update(model: string, id: number, values: Readonly<Record<string, StoredValue>>): void;
  /** Back to the seed data; forgets idempotency keys and the call log. */
  reset(): void;
}

export interface OdooEmulatorIdempotency {
  /** How many times a call carrying `key` was applied (the contract: never more than 1). */
  applied(key: string): number;
  /** How many requests carried `key` (applied, replayed or failed). */
  requests(key: string): number;
  keys(): string[];
}

export interface OdooEmulator {
  /** Base URL, e.g. `http://127.0.0.1:40123` (the API is at `${url}/jsonrpc`). */
  readonly url: string;
  readonly port: number;
  readonly db: string;
  readonly login: string;
  readonly uid: number;
  credentials(): Credentials;
  /** New password and/or API key (null revokes the key); the old ones get AccessDenied from now on. */
  rotateCredentials(next: { password?: string; apiKey?: string | null }): Credentials;
  readonly faults: OdooEmulatorFaults;
  /** Back to the seed data; forgets idempotency keys, faults and the call log. */
  reset(): void;
  readonly idempotency: OdooEmulatorIdempotency;
  readonly state: OdooEmulatorState;
  /** Every HTTP request served, oldest first. */
  calls(): readonly EmulatorCall[];
  close(): Promise<void>;
}

export async function startOdooEmulator(options: StartOdooEmulatorOptions = {}): Promise<OdooEmulator> {
  const config = optionsSchema.parse(options);
  const now = options.now ?? (() => new Date());
  const registry = createRegistry();
  const seed = () => seedStore({ companyName: config.companyName, login: config.login, uid: config.uid });
  let store: Store = seed();
  let credentials: Credentials = { password: config.password, apiKey: config.apiKey ?? null };
  const idempotency = new IdempotencyLedger();
  const faults = new FaultController();
  let calls: EmulatorCall[] = [];
  let seq = 0;

  const rpc: RpcServer = {
    db: config.db,
    login: config.login,
    uid: config.uid,
    registry,
    settings: { prefixSqlConstraintMessages: config.prefixSqlConstraintMessages },
    idempotency,
    credentials: () => ({ ...credentials }),
    store: () => store,
    now,
  };
  const resetAll = () => {
    store = seed();
    idempotency.clear();
    faults.clear();
    calls = [];
  };
  const rotate = (next: unknown): Credentials => {
    const parsed = rotationSchema.parse(next);
    credentials = {
      password: parsed.password ?? credentials.password,
      apiKey: parsed.apiKey === undefined ? credentials.apiKey : parsed.apiKey,
    };
    return { ...credentials };
  };
  const insertRow = (model: string, values: Readonly<Record<string, StoredValue>>): number => {
    if (!registry.has(model)) throw new Error(`model ${model} is not emulated`);
    const id = typeof values.id === "number" ? values.id : store.allocateId(model);
    const stamp = formatDatetime(now());
    store.insert(model, { create_uid: config.uid, create_date: stamp, write_uid: config.uid, write_date: stamp, ...values, id });
    return id;
  };
  const control = (method: string, path: string, body: Buffer): Reply | undefined => {
    const json = (status: number, payload: unknown): Reply => ({ status, contentType: "application/json", body: JSON.stringify(payload) });
    const parse = (): unknown => (body.length === 0 ? {} : JSON.parse(body.toString("utf8")));
    try {
      if (path === "/_emulator/faults") {
        if (method === "GET") return json(200, faults.pending());
        if (method === "DELETE") {
          faults.clear();
          return { status: 204, contentType: "text/plain", body: "" };
        }
        if (method === "POST") {
          const request = controlFaultSchema.parse(parse());
          faults.add(request.fault, request.count ?? 1);
          return json(201, faults.pending());
        }
      }
      if (path === "/_emulator/reset" && method === "POST") {
        resetAll();
        return { status: 204, contentType: "text/plain", body: "" };
      }
      if (path === "/_emulator/credentials" && method === "POST") return json(200, rotate(parse()));
      const statePath = /^\/_emulator\/state\/([a-z0-9_.]+)$/.exec(path);
      if (statePath?.[1] && registry.has(statePath[1])) {
        const model = statePath[1];
        if (method === "GET") return json(200, store.rows(model));
        if (method === "POST") return json(201, { id: insertRow(model, storedValuesSchema.parse(parse())) });
      }
      const keyPath = /^\/_emulator\/idempotency\/(.+)$/.exec(path);
      if (keyPath?.[1] && method === "GET") {
        const key = decodeURIComponent(keyPath[1]);
        return json(200, { key, applied: idempotency.applied(key), requests: idempotency.requests(key) });
      }
      return undefined;
    } catch (error) {
      return json(400, { error: error instanceof Error ? error.message : String(error) });
    }
  };
  const http = createOdooHttpServer({
    rpc,
    faults,
    record: (call) => calls.push({ ...call, seq: ++seq, at: now() }),
    onInternalError: options.onInternalError ?? ((error) => console.error("odoo emulator: internal error", error)),
    control,
  });

  await new Promise<void>((resolve, reject) => {
    http.server.once("error", reject);
    http.server.listen(config.port, config.host, () => {
      http.server.off("error", reject);
      resolve();
    });
  });
  const { port } = http.server.address() as AddressInfo;
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;

  const assertModel = (model: string) => {
    if (!registry.has(model)) throw new Error(`model ${model} is not emulated`);
  };

  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    db: config.db,
    login: config.login,
    uid: config.uid,
    credentials: () => ({ ...credentials }),
    rotateCredentials: (next) => rotate(next),
    reset: () => resetAll(),
    faults,
    idempotency: {
      applied: (key) => idempotency.applied(key),
      requests: (key) => idempotency.requests(key),
      keys: () => idempotency.keys(),
    },
    state: {
      records: (model) => {
        assertModel(model);
        return store.rows(model);
      },
      record: (model, id) => {
        assertModel(model);
        return store.get(model, id);
      },
      insert: (model, values) => insertRow(model, values),
      update: (model, id, values) => {
        assertModel(model);
        store.update(model, id, values);
      },
      reset: () => {
        store = seed();
        idempotency.clear();
        calls = [];
      },
    },
    calls: () => [...calls],
    close: () => http.close(),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string", default: "8069" },
      host: { type: "string", default: "127.0.0.1" },
      db: { type: "string" },
      login: { type: "string" },
      password: { type: "string" },
      "api-key": { type: "string" },
    },
  });
  const emulator = await startOdooEmulator({
    port: Number(values.port),
    host: values.host,
    db: values.db,
    login: values.login,
    password: values.password,
    apiKey: values["api-key"],
  });
  const key = emulator.credentials().apiKey;
  console.log(
    `Odoo emulator listening on ${emulator.url} (POST /json/2/<model>/<method>, /jsonrpc, /xmlrpc/2/<service>; db ${emulator.db}, login ${emulator.login}, uid ${emulator.uid}${key ? ", API key set" : ""})`,
  );
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
