/**
 * Request-parameter decoding exactly as pve-http-server does it (PVE::APIServer::AnyEvent::decode_urlencoded
 * and extract_params), including its sharp edges, so that a client which would fail against a real
 * server also fails here:
 *
 * - pairs are split on `&` and `;`, then each pair on *every* `=`, keeping only the first two fields:
 *   `ipconfig0=ip=dhcp` arrives as `ipconfig0` = `ip`;
 * - `+` becomes a space before percent-decoding (so a raw `+10G` arrives as ` 10G`);
 * - only `%XX` with two hex digits is decoded, anything else stays as it is; values are then decoded as UTF-8;
 * - a key without `=` (or with an empty value, `key=`) is present with an undefined value;
 * - a repeated key with defined values becomes an array (which then fails every scalar type check).
 */

/** A decoded parameter: a string, undefined (present without value), an array (repeated key) or, from JSON bodies, any JSON value. */
export type RawParam = string | undefined | string[] | number | boolean | null | RawParam[] | { [key: string]: RawParam };
export type RawParams = Map<string, RawParam>;

/**
 * Perl's `split(/re/, $str)`: leading empty fields are kept, trailing empty fields are removed,
 * and an empty string gives an empty list.
 */
export function perlSplit(str: string, separator: RegExp): string[] {
  if (str === "") return [];
  const flags = separator.flags.includes("g") ? separator.flags : `${separator.flags}g`;
  const fields = str.split(new RegExp(separator.source, flags));
  while (fields.length > 0 && fields[fields.length - 1] === "") fields.pop();
  return fields;
}

/** `s/%([0-9a-fA-F][0-9a-fA-F])/chr(hex($1))/eg` on a byte string (each char is one byte). */
function percentDecodeBytes(latin1: string): string {
  return latin1.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function bytesToUtf8(latin1: string): string {
  return Buffer.from(latin1, "latin1").toString("utf8");
}

/**
 * decode_urlencoded. `data` is the raw body or query string as bytes (a Buffer or a latin1 "byte string").
 * Perl's `return $res if !$data` also treats the string "0" as empty.
 */
export function decodeUrlencoded(data: Buffer | string | undefined | null): RawParams {
  const res: RawParams = new Map();
  if (data === undefined || data === null) return res;
  const text = typeof data === "string" ? data : data.toString("latin1");
  if (text === "" || text === "0") return res;
  for (const kv of perlSplit(text, /[&;]/)) {
    const parts = perlSplit(kv, /=/);
    const rawKey = parts[0] ?? "";
    const key = bytesToUtf8(percentDecodeBytes(rawKey.replace(/\+/g, " ")));
    const rawValue = parts[1];
    let value: RawParam = undefined;
    if (rawValue !== undefined) {
      const decoded = bytesToUtf8(percentDecodeBytes(rawValue.replace(/\+/g, " ")));
      const old = res.get(key);
      if (old !== undefined) {
        value = Array.isArray(old) ? [...(old as string[]), decoded] : [old as string, decoded];
      } else {
        value = decoded;
      }
    }
    res.set(key, value);
  }
  return res;
}

/** JSON::XS-like error text for a body that is not valid JSON. */
export function malformedJsonMessage(body: string): string {
  let offset = 0;
  try {
    JSON.parse(body);
  } catch (err) {
    const m = /position (\d+)/.exec(String((err as Error).message));
    if (m?.[1]) offset = Number(m[1]);
  }
  const rest = body.slice(offset, offset + 20);
  const before = rest === "" ? "(end of string)" : rest;
  return `malformed JSON string, neither tag, array, object, number, string or atom, at character offset ${offset} (before "${before}") at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 934.`;
}

/** Converts a parsed JSON object body to parameters (JSON null counts as "not given", as in Perl). */
export function jsonToParams(obj: Record<string, unknown>): RawParams {
  const res: RawParams = new Map();
  for (const [k, v] of Object.entries(obj)) res.set(k, toRaw(v));
  return res;
}

function toRaw(v: unknown): RawParam {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map(toRaw);
  if (typeof v === "object") {
    const o: { [key: string]: RawParam } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = toRaw(x);
    return o;
  }
  return String(v);
}

/** The values a request log keeps: plain JSON. */
export function paramsToObject(params: RawParams): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of params) o[k] = v === undefined ? null : v;
  return o;
}
