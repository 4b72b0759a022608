import pino from "pino";

/**
 * One structured logger for web, worker and CLI. Anything that could carry a secret is
 * redacted by key, wherever it sits in the logged object: at any depth, in arrays, in a child
 * logger's bindings and in the properties of a logged error.
 */
export const CENSOR = "[redacted]";

/**
 * Key names whose values are never logged, compared without case, `-` and `_`, and matched at
 * the end of the key (`newPassword`, `client_secret`, `x-api-key`, `sessionToken` and `tokenHash`
 * all count; `tokenId` does not).
 */
const SECRET_KEY = /(password|passwd|secret|token|tokenhash|passwordhash|apikey|privatekey|credentials|authorization|cookie|sealed)$/;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ""));
}

const MAX_DEPTH = 32;

/**
 * A copy of `value` with the value of every secret key replaced by CENSOR, at any depth, as
 * JSON would print it: arrays, and the own enumerable properties of any other object (plain
 * objects, errors, class instances); values with their own toJSON (Date, Buffer, Decimal) stay
 * as they are. Cycles and anything deeper than MAX_DEPTH are cut. The input is not changed.
 */
export function scrubSecrets(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  if (depth > MAX_DEPTH) return "[too deep]";
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((item) => scrubSecrets(item, depth + 1, seen));
  else {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) copy[key] = isSecretKey(key) && inner !== undefined ? CENSOR : scrubSecrets(inner, depth + 1, seen);
    out = copy;
  }
  seen.delete(value);
  return out;
}

/** pino's standard error serializer, then the same scrub (an error's own properties may carry secrets). */
function errSerializer(error: unknown): unknown {
  return scrubSecrets(error instanceof Error ? pino.stdSerializers.err(error) : error);
}

/** The logged object, scrubbed; errors under `err`/`error` are left whole for errSerializer. */
function scrubLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    out[key] = isSecretKey(key) && value !== undefined ? CENSOR : (key === "err" || key === "error") && value instanceof Error ? value : scrubSecrets(value, 1);
  }
  return out;
}

const root = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { app: "hangar" },
  serializers: { err: errSerializer, error: errSerializer },
  formatters: { log: scrubLogObject },
});

// pino applies no formatter to a child's bindings: every child (and grandchild, which inherits
// this method) scrubs them here.
type ChildFn = (this: pino.Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => pino.Logger;
const pinoChild = root.child as unknown as ChildFn;
const scrubbingChild: ChildFn = function (bindings, options) {
  return pinoChild.call(this, scrubSecrets(bindings) as pino.Bindings, options);
};
root.child = scrubbingChild as unknown as typeof root.child;

export const log: pino.Logger = root;
