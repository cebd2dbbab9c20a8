/**
 * The External JSON-2 API of Odoo 19 (`addons/web/controllers/json2.py`, `ir.http._auth_method_bearer`):
 *
 * - `POST /json/2/<model>/<method>`, `Content-Type: application/json` (else 400, HTML page of the
 *   http dispatcher), `Authorization: bearer <API key>` (the password is not accepted),
 *   `X-Odoo-Database` (optional on this single-database server; another name → 404 HTML, as Odoo
 *   serving the request without a database).
 * - The body is a JSON object of named arguments: `ids` (record methods), `context`, and the
 *   method's own parameters. One transaction per call.
 * - 200 with the JSON of the return value (recordsets as id lists: `create` answers `[id]`).
 * - Errors: JSON `{name, message, arguments, context, debug}` (`odoo.http.serialize_exception`)
 *   with the exception's HTTP status: UserError/ValidationError 422, AccessError/AccessDenied 403,
 *   MissingError 404; werkzeug's 400/401/404/405/422 with `arguments: [description, code]`;
 *   anything else 500.
 */
import type { IncomingHttpHeaders } from "node:http";
import { OdooExceptionName } from "../protocol";
import { PythonException, serializeException } from "./exceptions";
import { lookupMethod, prepareCall, signatureBindError } from "./methods";
import type { CallInfo, RpcServer } from "./rpc";
import { applyOnce, callEnv } from "./rpc";

export const JSON2_ROUTE = /^\/json\/2\/([^/]+)\/([^/]+)\/?$/;

export interface Json2Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const HTTP_STATUS_OF: Readonly<Record<string, number>> = {
  [OdooExceptionName.UserError]: 422,
  [OdooExceptionName.ValidationError]: 422,
  [OdooExceptionName.AccessError]: 403,
  [OdooExceptionName.AccessDenied]: 403,
  [OdooExceptionName.MissingError]: 404,
  "odoo.exceptions.LockError": 409,
};

/** `werkzeug.exceptions.<Name>(description)` as the JSON-2 dispatcher serialises it. */
function werkzeug(name: string, code: number, description: string): PythonException {
  return new PythonException(`werkzeug.exceptions.${name}`, description, [description, code]);
}

function jsonReply(status: number, payload: unknown, headers?: Record<string, string>): Json2Reply {
  return { status, contentType: "application/json; charset=utf-8", body: JSON.stringify(payload ?? null), ...(headers ? { headers } : {}) };
}

function errorReply(exc: PythonException, headers?: Record<string, string>): Json2Reply {
  const werkzeugCode = exc.qualifiedName.startsWith("werkzeug.exceptions.") ? Number(exc.args[1]) : undefined;
  const status = werkzeugCode ?? HTTP_STATUS_OF[exc.qualifiedName] ?? 500;
  return jsonReply(status, serializeException(exc), headers);
}

export interface Json2Request {
  readonly httpMethod: string;
  readonly model: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One JSON-2 request, after the content type and database checks of the HTTP front. */
export function dispatchJson2(server: RpcServer, request: Json2Request, info: CallInfo): Json2Reply {
  info.service = "json2";
  info.model = request.model;
  info.modelMethod = request.method;
  try {
    // ir.http._auth_method_bearer (authentication runs before the body is read)
    const header = request.headers.authorization;
    const token = typeof header === "string" ? /^bearer\s+(.+)$/i.exec(header)?.[1] : undefined;
    if (token === undefined) {
      throw werkzeug("Unauthorized", 401, "User not authenticated, use an API Key with a Bearer Authorization header.");
    }
    const apiKey = server.credentials().apiKey;
    if (apiKey === null || token !== apiKey) throw werkzeug("Unauthorized", 401, "Invalid apikey");

    // Json2RpcDispatcher.dispatch: the URL arguments, then the JSON body merged over them.
    let params: Record<string, unknown> = {};
    if (request.body.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.body.toString("utf8"));
      } catch (error) {
        throw werkzeug("BadRequest", 400, `could not parse the body as json: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw werkzeug("BadRequest", 400, "could not parse the body, expecting a json object");
      }
      params = parsed as Record<string, unknown>;
    }
    if (request.httpMethod !== "POST") throw werkzeug("MethodNotAllowed", 405, "The method is not allowed for the requested URL.");

    const { ids: rawIds = [], context: rawContext = {}, ...kwargs } = params;
    const { model, method } = request;
    if (!server.registry.has(model)) throw werkzeug("NotFound", 404, `the model '${model}' does not exist`);
    // odoo.service.model.get_public_method
    if (method.startsWith("_") || method === "init") {
      const message = `Private methods (such as '${model}.${method}') cannot be called remotely.`;
      throw new PythonException(OdooExceptionName.AccessError, message, [message]);
    }
    const context = typeof rawContext === "object" && rawContext !== null && !Array.isArray(rawContext) ? (rawContext as Record<string, unknown>) : {};
    const env = callEnv(server, server.uid, context);
    const lookup = lookupMethod(env, model, method);
    if (!lookup.found) {
      if (!lookup.emulated) throw new PythonException("builtins.NotImplementedError", `${model}.${method}() is not implemented by the Odoo emulator`);
      throw werkzeug("NotFound", 404, `The method '${model}.${method}' does not exist`);
    }
    const ids = Array.isArray(rawIds) ? rawIds : [rawIds];
    if (lookup.method.kind !== "records" && ids.length > 0) throw werkzeug("UnprocessableEntity", 422, `cannot call ${model}.${method} with ids`);
    const bindError = signatureBindError(lookup.method, kwargs);
    if (bindError) throw werkzeug("UnprocessableEntity", 422, bindError);

    // JSON-2 binds by name: create's vals_list is not read from positional args here.
    const prepared = { ...prepareCall(model, lookup.qualname, lookup.method, lookup.method.kind === "records" ? [ids] : [], kwargs), missingCreateArg: false };
    const result = applyOnce(server, env, model, method, lookup.method, prepared, info);
    // `if isinstance(result, BaseModel): result = result.ids` — create is @api.model_create_multi.
    if (method === "create" && typeof result === "number") return jsonReply(200, [result]);
    return jsonReply(200, result);
  } catch (error) {
    if (!(error instanceof PythonException)) throw error;
    info.error = error.qualifiedName;
    const headers: Record<string, string> | undefined =
      error.qualifiedName === "werkzeug.exceptions.Unauthorized" ? { "www-authenticate": "Bearer" } : undefined;
    return errorReply(error, headers);
  }
}
