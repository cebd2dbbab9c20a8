/**
 * Python exceptions as Odoo serialises them (`odoo.http.serialize_exception`): qualified name,
 * `str(exc)` as message, `exc.args` as arguments, an empty context and a traceback as debug.
 */
import type { OdooErrorData } from "../protocol";
import { OdooExceptionName } from "../protocol";
import { recordsetRepr } from "./python";

export class PythonException extends Error {
  /** `module.ClassName`, e.g. `odoo.exceptions.UserError`, `builtins.ValueError`. */
  readonly qualifiedName: string;
  /** `exc.args` (Odoo exceptions: `[message]`). */
  readonly args: readonly unknown[];
  /** Frames of the emulated traceback, innermost last, as `[file, line, function, source]`. */
  readonly frames: readonly Frame[];

  constructor(qualifiedName: string, message: string, args: readonly unknown[] = [message], frames: readonly Frame[] = []) {
    super(message);
    this.name = qualifiedName;
    this.qualifiedName = qualifiedName;
    this.args = args;
    this.frames = frames;
  }
}

export type Frame = readonly [file: string, line: number, fn: string, source: string];

const ODOO = "/usr/lib/python3/dist-packages/odoo";

/** The frames every `/jsonrpc` call goes through in Odoo 17 before reaching the service. */
const DISPATCH_FRAMES: readonly Frame[] = [
  [`${ODOO}/http.py`, 2189, "__call__", "response = request._serve_nodb()"],
  [`${ODOO}/http.py`, 1674, "_serve_nodb", "response = self.dispatcher.dispatch(rule.endpoint, args)"],
  [`${ODOO}/http.py`, 1923, "dispatch", "result = endpoint(**self.request.params)"],
  [`${ODOO}/http.py`, 727, "route_wrapper", "result = endpoint(self, *args, **params_ok)"],
  [`${ODOO}/addons/base/controllers/rpc.py`, 153, "jsonrpc", "return dispatch_rpc(service, method, args)"],
  [`${ODOO}/http.py`, 368, "dispatch_rpc", "return dispatch(method, params)"],
];

/** Frames from `object.execute_kw` down to the model method (`odoo/service/model.py`, `odoo/api.py`). */
export const EXECUTE_KW_FRAMES: readonly Frame[] = [
  [`${ODOO}/service/model.py`, 39, "dispatch", "res = execute_kw(db, uid, *params[3:])"],
  [`${ODOO}/service/model.py`, 61, "execute_kw", "return execute(db, uid, obj, method, *args, **kw or {})"],
  [`${ODOO}/service/model.py`, 68, "execute", "res = execute_cr(cr, uid, obj, method, *args, **kw)"],
  [`${ODOO}/service/model.py`, 52, "execute_cr", "result = retrying(partial(odoo.api.call_kw, recs, method, args, kw), env)"],
  [`${ODOO}/service/model.py`, 137, "retrying", "result = func()"],
  [`${ODOO}/api.py`, 466, "call_kw", "result = _call_kw_multi(method, model, args, kwargs)"],
];

/** Last line of a Python traceback: builtins are printed without their module. */
function exceptionLine(name: string, message: string): string {
  const short = name.startsWith("builtins.") ? name.slice("builtins.".length) : name;
  return message === "" ? short : `${short}: ${message}`;
}

export function formatTraceback(exc: PythonException): string {
  const frames = [...DISPATCH_FRAMES, ...exc.frames].map(([file, line, fn, source]) => `  File "${file}", line ${line}, in ${fn}\n    ${source}\n`).join("");
  return `Traceback (most recent call last):\n${frames}${exceptionLine(exc.qualifiedName, exc.message)}\n`;
}

/** `error.data` exactly as Odoo 17 fills it (member order as in the shared samples). */
export function serializeException(exc: PythonException): OdooErrorData {
  return {
    name: exc.qualifiedName,
    message: exc.message,
    arguments: [...exc.args],
    context: {},
    debug: formatTraceback(exc),
  };
}

// ---- Constructors for the exceptions the emulated Odoo raises -------------------------------

export const raise = {
  validation(message: string, where: readonly Frame[] = EXECUTE_KW_FRAMES): PythonException {
    return new PythonException(OdooExceptionName.ValidationError, message, [message], where);
  },
  user(message: string, where: readonly Frame[] = EXECUTE_KW_FRAMES): PythonException {
    return new PythonException(OdooExceptionName.UserError, message, [message], where);
  },
  /**
   * What `odoo/fields.py` raises when a record that does not exist is read (also through computes
   * and constraints touching a many2one that points nowhere): two lines, the second naming the
   * recordset and the user.
   */
  missing(model: string, id: number, uid: number): PythonException {
    const message = `Record does not exist or has been deleted.\n(Record: ${recordsetRepr(model, [id])}, User: ${uid})`;
    return new PythonException(
      OdooExceptionName.MissingError,
      message,
      [message],
      [...EXECUTE_KW_FRAMES, [`${ODOO}/fields.py`, 1168, "__get__", 'raise MissingError("\\n".join([']],
    );
  },
  /** `odoo.exceptions.AccessDenied()`: default message "Access Denied". */
  accessDenied(): PythonException {
    const message = "Access Denied";
    return new PythonException(
      OdooExceptionName.AccessDenied,
      message,
      [message],
      [
        [`${ODOO}/service/model.py`, 31, "dispatch", "security.check(db, uid, passwd)"],
        [`${ODOO}/service/security.py`, 22, "check", "return res_users.check(db, uid, passwd)"],
        [`${ODOO}/addons/base/models/res_users.py`, 890, "check", "raise AccessDenied()"],
      ],
    );
  },
  accessError(message: string): PythonException {
    return new PythonException(
      OdooExceptionName.AccessError,
      message,
      [message],
      [
        [`${ODOO}/service/model.py`, 67, "execute", "check_method_name(method)"],
        [`${ODOO}/models.py`, 133, "check_method_name", "raise AccessError(_('Private methods (such as %s) cannot be called remotely.', name))"],
      ],
    );
  },
  builtin(
    name: "ValueError" | "TypeError" | "AttributeError" | "NameError" | "IndexError" | "Exception" | "NotImplementedError",
    message: string,
    where: readonly Frame[] = [],
  ): PythonException {
    return new PythonException(`builtins.${name}`, message, [message], where);
  },
  /** `KeyError(key)`: `str()` of a KeyError is the repr of its key. */
  key(key: string): PythonException {
    return new PythonException("builtins.KeyError", `'${key}'`, [key], [[`${ODOO}/http.py`, 361, "dispatch_rpc", "}[service_name]"]]);
  },
  operational(message: string): PythonException {
    return new PythonException(
      "psycopg2.OperationalError",
      message,
      [message],
      [
        [`${ODOO}/modules/registry.py`, 87, "__new__", "return cls.new(db_name)"],
        [`${ODOO}/sql_db.py`, 661, "borrow", "result = psycopg2.connect("],
      ],
    );
  },
};
