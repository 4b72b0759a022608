/**
 * The PVE API schema (the `apidata.js` tree in /work/shared/pve-api), route lookup, and a port of
 * PVE::JSONSchema's parameter verification (check_prop / check_object / check_type / check_format /
 * parse_property_string), with the same error texts, so that the simulator rejects exactly what a
 * real server rejects.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { RawParam, RawParams } from "./form";
import { builtinSchema } from "./builtin-schema";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export type SchemaProp = {
  type?: string | string[];
  format?: string | Record<string, SchemaProp>;
  optional?: number | boolean;
  enum?: (string | number)[];
  pattern?: string;
  minimum?: number | string;
  maximum?: number | string;
  maxLength?: number | string;
  minLength?: number | string;
  default?: unknown;
  default_key?: number | boolean;
  alias?: string;
  keyAlias?: string;
  requires?: string | SchemaProp;
  properties?: Record<string, SchemaProp>;
  items?: SchemaProp;
  additionalProperties?: number | boolean | SchemaProp;
  description?: string;
  typetext?: string;
};

export type MethodInfo = {
  parameters?: SchemaProp;
  returns?: SchemaProp;
  protected?: number;
  proxyto?: string;
  allowtoken?: number;
};

export type SchemaNode = {
  path: string;
  text?: string;
  leaf?: number;
  info?: Partial<Record<HttpMethod, MethodInfo>>;
  children?: SchemaNode[];
};

export type ApiSchema = {
  /** "file" when loaded from pve-<version>.json, "builtin" for the fallback rule set. */
  source: "file" | "builtin";
  file?: string;
  /** path template -> node, e.g. "/nodes/{node}/qemu/{vmid}/config" */
  byPath: Map<string, SchemaNode>;
  /** templates split into segments, for matching */
  templates: string[][];
};

const cache = new Map<string, ApiSchema>();

/** Which schema file a simulated version uses (there is no 7.4 dump: 7.4 borrows 8.4's). */
export function schemaFileVersion(version: string): string {
  return version === "9.1" ? "9.1" : "8.4";
}

export function defaultSchemaDir(): string {
  return process.env.PVE_API_SCHEMA_DIR || path.resolve(process.cwd(), "../shared/pve-api");
}

/** Loads pve-<version>.json from `dir`, or the built-in minimal rule set when the file is absent. */
export function loadApiSchema(version: string, dir: string = defaultSchemaDir()): ApiSchema {
  const fileVersion = schemaFileVersion(version);
  const file = path.join(dir, `pve-${fileVersion}.json`);
  const key = `${file}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let tree: SchemaNode[];
  let source: ApiSchema["source"] = "file";
  if (fs.existsSync(file)) {
    tree = JSON.parse(fs.readFileSync(file, "utf8")) as SchemaNode[];
  } else {
    tree = builtinSchema as SchemaNode[];
    source = "builtin";
  }
  const schema = indexSchema(tree, source, source === "file" ? file : undefined);
  cache.set(key, schema);
  return schema;
}

export function indexSchema(tree: SchemaNode[], source: ApiSchema["source"], file?: string): ApiSchema {
  const byPath = new Map<string, SchemaNode>();
  const walk = (nodes: SchemaNode[]) => {
    for (const n of nodes) {
      byPath.set(n.path, n);
      if (n.children) walk(n.children);
    }
  };
  walk(tree);
  const templates = [...byPath.keys()].map((p) => p.split("/").filter(Boolean));
  return { source, file, byPath, templates };
}

export type RouteMatch = { template: string; node: SchemaNode; uriParams: Map<string, string> };

/** find_handler: literal segments win over `{param}` segments. */
export function matchRoute(schema: ApiSchema, relPath: string): RouteMatch | undefined {
  const segs = relPath.split("/").filter(Boolean);
  let best: { tpl: string[]; score: number } | undefined;
  for (const tpl of schema.templates) {
    if (tpl.length !== segs.length) continue;
    let score = 0;
    let ok = true;
    for (let i = 0; i < tpl.length; i++) {
      const t = tpl[i] as string;
      if (t.startsWith("{") && t.endsWith("}")) continue;
      if (t !== segs[i]) {
        ok = false;
        break;
      }
      score += 1 << (tpl.length - i);
    }
    if (ok && (!best || score > best.score)) best = { tpl, score };
  }
  if (!best) return undefined;
  const template = `/${best.tpl.join("/")}`;
  const node = schema.byPath.get(template);
  if (!node) return undefined;
  const uriParams = new Map<string, string>();
  best.tpl.forEach((t, i) => {
    if (t.startsWith("{") && t.endsWith("}")) uriParams.set(t.slice(1, -1), segs[i] as string);
  });
  return { template, node, uriParams };
}

// ---------------------------------------------------------------------------------------------
// Verification

export type ParamErrors = Map<string, string>;

/** Thrown by format validators; the message ends in "\n" like a Perl `die "...\n"`. */
export class FormatError extends Error {}

function addError(errors: ParamErrors, p: string, msg: string): void {
  const key = p || "_root";
  const old = errors.get(key);
  // Perl: join('\n', ...) - single-quoted, so a literal backslash-n
  errors.set(key, old ? `${old}\\n${msg}` : msg);
}

function isTrue(v: number | boolean | undefined): boolean {
  return v === true || (typeof v === "number" && v !== 0);
}

const INDEX_LIMITS: Record<string, number> = {
  net: 32,
  ipconfig: 32,
  scsi: 31,
  ide: 4,
  sata: 6,
  virtio: 16,
  unused: 256,
  serial: 4,
  parallel: 3,
  usb: 14,
  hostpci: 16,
  numa: 8,
  virtiofs: 10,
  mp: 256,
};

/** Maps `net0` to the schema entry `net[n]` (the dump collapses the expanded keys). */
export function lookupProp(props: Record<string, SchemaProp> | undefined, key: string): SchemaProp | undefined {
  if (!props) return undefined;
  if (Object.prototype.hasOwnProperty.call(props, key)) return props[key];
  const m = /^([a-z_]+)(\d+)$/.exec(key);
  if (m) {
    const base = m[1] as string;
    const idx = Number(m[2]);
    const indexed = props[`${base}[n]`];
    if (indexed && String(idx) === m[2]) {
      const limit = INDEX_LIMITS[base] ?? 32;
      if (idx < limit) return indexed;
    }
  }
  return undefined;
}

/** The Perl type name of a non-scalar value, as it appears in "got ARRAY". */
function refType(v: RawParam): string | undefined {
  if (Array.isArray(v)) return "ARRAY";
  if (typeof v === "boolean") return "JSON::PP::Boolean";
  if (v !== null && typeof v === "object") return "HASH";
  return undefined;
}

/** Perl stringification of a scalar. */
export function scalarString(v: RawParam): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  return "";
}

const isInteger = (s: string) => /^[+-]?\d+$/.test(s);
const isNumber = (s: string) => /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(s);

function checkType(p: string, type: string | string[] | undefined, value: RawParam, errors: ParamErrors): boolean {
  if (!type) return true;
  if (Array.isArray(type)) {
    for (const t of type) {
      const tmp: ParamErrors = new Map();
      checkType(p, t, value, tmp);
      if (tmp.size === 0) return true;
    }
    addError(errors, p, `type check ('${type.join("|")}') failed`);
    return false;
  }
  if (type === "any") return true;
  if (type === "null") {
    if (value !== undefined && value !== null) {
      addError(errors, p, `type check ('${type}') failed - value is not null`);
      return false;
    }
    return true;
  }
  const vt = refType(value);
  if (type === "array") {
    if (vt !== "ARRAY") {
      addError(errors, p, `type check ('${type}') failed`);
      return false;
    }
    return true;
  }
  if (type === "object") {
    if (vt !== "HASH") {
      addError(errors, p, `type check ('${type}') failed`);
      return false;
    }
    return true;
  }
  if (vt) {
    if (type === "boolean" && vt === "JSON::PP::Boolean") return true;
    addError(errors, p, `type check ('${type}') failed - got ${vt}`);
    return false;
  }
  const s = scalarString(value);
  if (type === "string") return true;
  if (type === "boolean") {
    if (s === "1" || s === "0") return true;
    addError(errors, p, `type check ('${type}') failed - got '${s}'`);
    return false;
  }
  if (type === "integer") {
    if (!isInteger(s)) {
      addError(errors, p, `type check ('${type}') failed - got '${s}'`);
      return false;
    }
    return true;
  }
  if (type === "number") {
    if (!isNumber(s)) {
      addError(errors, p, `type check ('${type}') failed - got '${s}'`);
      return false;
    }
    return true;
  }
  return true;
}

const patternCache = new Map<string, RegExp | null>();

/** Perl regex text (from the schema dump) to an anchored JS RegExp: `^(?:pattern)$`. */
export function perlPattern(pattern: string): RegExp | null {
  const cached = patternCache.get(pattern);
  if (cached !== undefined) return cached;
  let src = pattern;
  let flags = "";
  if (/\(\?\^i:/.test(src)) flags = "i";
  src = src.replace(/\(\?\^[a-z]*:/g, "(?:").replace(/\{,(\d+)\}/g, "{0,$1}").replace(/\\A/g, "^").replace(/\\z/g, "$");
  let re: RegExp | null;
  try {
    re = new RegExp(`^(?:${src})$`, flags);
  } catch {
    re = null;
  }
  patternCache.set(pattern, re);
  return re;
}

export function checkProp(value: RawParam, schema: SchemaProp, p: string, errors: ParamErrors): void {
  if (schema.alias) return;
  if (value === undefined || value === null) {
    if (schema.type === "null") return;
    if (!isTrue(schema.optional)) addError(errors, p, "property is missing and it is not optional");
    return;
  }
  if (!checkType(p, schema.type, value, errors)) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((el, i) => checkProp(el, schema.items as SchemaProp, `${p}[${i}]`, errors));
    return;
  }
  if (typeof value === "object") {
    if (schema.properties || schema.additionalProperties) {
      checkObject(p, schema.properties ?? {}, new Map(Object.entries(value)), schema.additionalProperties, errors);
    }
    return;
  }
  const s = scalarString(value);
  if (schema.format) {
    try {
      checkFormat(schema.format, s, p);
    } catch (err) {
      addError(errors, p, `invalid format - ${formatErrorText(err)}`);
      return;
    }
  }
  if (schema.pattern) {
    const re = perlPattern(schema.pattern);
    if (re && !re.test(s)) {
      addError(errors, p, "value does not match the regex pattern");
      return;
    }
  }
  if (schema.maxLength !== undefined && [...s].length > Number(schema.maxLength)) {
    addError(errors, p, `value may only be ${schema.maxLength} characters long`);
    return;
  }
  if (schema.minLength !== undefined && [...s].length < Number(schema.minLength)) {
    addError(errors, p, `value must be at least ${schema.minLength} characters long`);
    return;
  }
  if (isNumber(s)) {
    if (schema.maximum !== undefined && Number(s) > Number(schema.maximum)) {
      addError(errors, p, `value must have a maximum value of ${schema.maximum}`);
      return;
    }
    if (schema.minimum !== undefined && Number(s) < Number(schema.minimum)) {
      addError(errors, p, `value must have a minimum value of ${schema.minimum}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.some((e) => String(e) === s)) {
    addError(errors, p, `value '${s}' does not have a value in the enumeration '${schema.enum.join(", ")}'`);
  }
}

export function checkObject(
  p: string,
  props: Record<string, SchemaProp>,
  value: Map<string, RawParam>,
  additional: SchemaProp["additionalProperties"],
  errors: ParamErrors,
): void {
  for (const [k, sub] of Object.entries(props)) {
    if (k.endsWith("[n]")) continue; // expanded keys (net0, net1, ...) are all optional; checked below
    checkProp(value.get(k), sub, p ? `${p}.${k}` : k, errors);
  }
  for (const [k, v] of value) {
    const np = p ? `${p}.${k}` : k;
    const sub = lookupProp(props, k);
    if (sub) {
      if (!Object.prototype.hasOwnProperty.call(props, k)) checkProp(v, sub, np, errors);
      if (typeof sub.requires === "string" && (value.get(sub.requires) === undefined || value.get(sub.requires) === null)) {
        addError(errors, p ? `${p}.${sub.requires}` : sub.requires, `missing property required by '${np}'`);
      }
      continue;
    }
    if (additional !== undefined && !isTrue(additional as number | boolean) && typeof additional !== "object") {
      addError(errors, np, "property is not defined in schema and the schema does not allow additional properties");
      continue;
    }
    if (additional && typeof additional === "object") checkProp(v, additional, np, errors);
  }
}

/** Validates request parameters; returns the errors (empty map: valid). */
export function validateParams(params: RawParams, parameters: SchemaProp | undefined): ParamErrors {
  const errors: ParamErrors = new Map();
  if (!parameters) return errors;
  checkObject("", parameters.properties ?? {}, params, parameters.additionalProperties, errors);
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Formats

function formatErrorText(err: unknown): string {
  if (err instanceof PropertyStringError) return err.stringify();
  if (err instanceof Error) return err.message.endsWith("\n") ? err.message : `${err.message}\n`;
  return `${String(err)}\n`;
}

/** PVE::Exception raised by parse_property_string ("format error" plus per-key errors), stringified like Perl. */
export class PropertyStringError extends Error {
  constructor(readonly errors: ParamErrors) {
    super("format error\n");
  }
  stringify(): string {
    let msg = "format error\n";
    for (const [k, v] of this.errors) msg += `${k}: ${v}\n`;
    return msg;
  }
}

const IPV4_OCTET = "(?:25[0-5]|(?:2[0-4]|1[0-9]|[1-9])?[0-9])";
const IPV4_RE = new RegExp(`^(?:(?:${IPV4_OCTET}\\.){3}${IPV4_OCTET})$`);
const isIpv4 = (s: string) => IPV4_RE.test(s);
const isIpv6 = (s: string) => net.isIPv6(s);

function cidr(s: string, v6: boolean): boolean {
  const m = /^(.+)\/(\d+)$/.exec(s);
  if (!m) return false;
  const bits = Number(m[2]);
  return (v6 ? isIpv6(m[1] as string) : isIpv4(m[1] as string)) && bits > 7 && bits <= (v6 ? 128 : 32);
}

function die(msg: string): never {
  throw new FormatError(`${msg}\n`);
}

function parseId(id: string, type: string): void {
  if ([...id].length < 2) die(`${type} ID '${id}' cannot be shorter than 2 characters`);
  if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(id)) die(`${type} ID '${id}' contains illegal characters`);
}

const ipconfigFormat: Record<string, SchemaProp> = {
  ip: { type: "string", format: "pve-ipv4-config", optional: 1, default: "dhcp" },
  gw: { type: "string", format: "ipv4", optional: 1, requires: "ip" },
  ip6: { type: "string", format: "pve-ipv6-config", optional: 1, default: "dhcp" },
  gw6: { type: "string", format: "ipv6", optional: 1, requires: "ip6" },
};

const STORAGE_CONTENT = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import", "none"];

/** Named formats (register_format) the simulated endpoints use. Unknown names are accepted. */
const namedFormats: Record<string, ((v: string) => void) | Record<string, SchemaProp>> = {
  string: () => {},
  urlencoded: (t) => {
    if (!/^[-%a-zA-Z0-9_.!~*'()]*$/.test(t)) die(`invalid urlencoded string: ${t}`);
  },
  "pve-configid": (id) => {
    if (!/^[a-z][a-z0-9_-]+$/i.test(id)) die(`invalid configuration ID '${id}'`);
  },
  "pve-storage-id": (id) => parseId(id, "storage"),
  "pve-bridge-id": (id) => {
    if (!/^[-_.\w\d]+$/.test(id)) die(`invalid bridge ID '${id}'`);
  },
  "pve-vmid": (v) => {
    if (!/^[1-9][0-9]{2,8}$/.test(v)) die("value does not look like a valid VM ID");
  },
  "pve-node": (v) => {
    if (!/^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/.test(v)) die("value does not look like a valid node name");
  },
  "dns-name": (v) => {
    const n = "([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)";
    if (!new RegExp(`^(${n}\\.)*${n}$`).test(v)) die("value does not look like a valid DNS name");
  },
  "mac-addr": (v) => {
    if (!/^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(v)) die("value does not look like a valid unicast MAC address");
  },
  ipv4: (v) => {
    if (!isIpv4(v)) die("value does not look like a valid IPv4 address");
  },
  ipv6: (v) => {
    if (!isIpv6(v)) die("value does not look like a valid IPv6 address");
  },
  ip: (v) => {
    if (!isIpv4(v) && !isIpv6(v)) die("value does not look like a valid IP address");
  },
  address: (v) => {
    const dns = /^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/;
    if (!isIpv4(v) && !isIpv6(v) && !dns.test(v)) die(`value does not look like a valid address: ${v}`);
  },
  CIDRv4: (v) => {
    if (!cidr(v, false)) die("value does not look like a valid IPv4 CIDR network");
  },
  CIDRv6: (v) => {
    if (!cidr(v, true)) die("value does not look like a valid IPv6 CIDR network");
  },
  CIDR: (v) => {
    if (!cidr(v, false) && !cidr(v, true)) die("value does not look like a valid CIDR network");
  },
  "pve-ipv4-config": (v) => {
    if (!/^(?:dhcp|manual)$/.test(v) && !cidr(v, false)) die("value does not look like a valid ipv4 network configuration");
  },
  "pve-ipv6-config": (v) => {
    if (!/^(?:auto|dhcp|manual)$/.test(v) && !cidr(v, true)) die("value does not look like a valid ipv6 network configuration");
  },
  "disk-size": (v) => {
    if (!/^(\d+(\.\d+)?)([KMGT](?:iB)?)?$/.test(v)) die(`value does not look like a valid disk size: ${v}`);
  },
  "pve-tag": (v) => {
    if (!/^[a-z0-9_][a-z0-9_\-+.]*$/i.test(v)) die("invalid characters in tag");
  },
  "pve-poolid": (v) => {
    if (v.split("/").length > 3) die(`pool name '${v}' nested too deeply (max levels = 3)`);
    if (!/^[A-Za-z0-9.\-_]+(?:\/[A-Za-z0-9.\-_]+){0,2}$/.test(v)) die(`pool name '${v}' contains invalid characters`);
  },
  "pve-realm": (v) => {
    if (!/^[A-Za-z][A-Za-z.\-_0-9]*[A-Za-z0-9]$/.test(v)) die(`value '${v}' does not look like a valid realm`);
  },
  "pve-volume-id": (v) => {
    if (!/^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.test(v)) die(`unable to parse volume ID '${v}'`);
  },
  "pve-volume-id-or-qm-path": (v) => {
    if (v === "none" || v === "cdrom" || v.startsWith("/")) return;
    if (!/^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.test(v)) die(`unable to parse volume ID '${v}'`);
  },
  "pve-volume-id-or-absolute-path": (v) => {
    if (v.startsWith("/")) return;
    if (!/^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.test(v)) die(`unable to parse volume ID '${v}'`);
  },
  "pve-storage-content": (v) => {
    if (!STORAGE_CONTENT.includes(v)) die(`invalid content type '${v}'`);
  },
  "pve-qm-ipconfig": ipconfigFormat,
  // qemu-server PVE::QemuServer::PCI $hostpci_fmt: a host device (`host=0000:01:00`) or a resource mapping (`mapping=<id>`).
  "pve-qm-hostpci": {
    host: { type: "string", default_key: 1, optional: 1, pattern: "(?:(?:[a-f0-9]{4,}:)?[a-f0-9]{2}:[a-f0-9]{2}(?:\\.[a-f0-9])?;)*(?:[a-f0-9]{4,}:)?[a-f0-9]{2}:[a-f0-9]{2}(?:\\.[a-f0-9])?" },
    mapping: { type: "string", format: "pve-configid", optional: 1 },
    pcie: { type: "boolean", optional: 1 },
    rombar: { type: "boolean", optional: 1 },
    romfile: { type: "string", optional: 1 },
    "x-vga": { type: "boolean", optional: 1 },
    "legacy-igd": { type: "boolean", optional: 1 },
    mdev: { type: "string", optional: 1 },
    driver: { type: "string", enum: ["vfio", "keep"], optional: 1 },
    "vendor-id": { type: "string", optional: 1 },
    "device-id": { type: "string", optional: 1 },
    "sub-vendor-id": { type: "string", optional: 1 },
    "sub-device-id": { type: "string", optional: 1 },
  },
};

/** PVE::Tools::split_list */
export function splitList(text: string): string[] {
  if (text.includes("\0")) return text.split("\0");
  const t = text.replace(/[,;]/g, " ").replace(/^\s+/, "");
  if (t === "") return [];
  const parts = t.split(/\s+/);
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

export function checkFormat(format: string | Record<string, SchemaProp>, value: string, p: string): void {
  if (typeof format === "object") {
    parsePropertyString(format, value, p);
    return;
  }
  if (format === "regex") return;
  const m = /^(.*?)(?:-(list|opt))?$/.exec(format) as RegExpExecArray;
  const name = m[1] as string;
  const kind = m[2] ?? "none";
  const registered = namedFormats[name];
  if (!registered) return; // not modelled: accept
  if (typeof registered === "object") {
    if (kind !== "none") return;
    parsePropertyString(registered, value, p);
    return;
  }
  if (kind === "list") {
    for (const v of splitList(value)) registered(v);
  } else if (kind === "opt") {
    if (value) registered(value);
  } else {
    registered(value);
  }
}

function parseBoolean(v: string): number | undefined {
  if (/^(1|on|yes|true)$/i.test(v)) return 1;
  if (/^(0|off|no|false)$/i.test(v)) return 0;
  return undefined;
}

/**
 * parse_property_string: `key=value,key=value` with an optional default key. Throws FormatError
 * (a plain die) or PropertyStringError (the per-key check of the parsed object).
 */
export function parsePropertyString(format: Record<string, SchemaProp> | string, data: string, p = ""): Record<string, string | number> {
  let fmt: Record<string, SchemaProp>;
  if (typeof format === "string") {
    const reg = namedFormats[format];
    if (!reg) die(`unknown format: ${format}`);
    if (typeof reg !== "object") die("parse_property_string only accepts hash based named formats");
    fmt = reg;
  } else {
    fmt = format;
  }
  const res = new Map<string, RawParam>();
  let defaultKey: string | undefined;
  for (const part of data.split(",")) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/s.exec(part);
    if (kv) {
      let k = kv[1] as string;
      let v: string | number = kv[2] as string;
      if (res.get(k) !== undefined) die(`duplicate key in comma-separated list property: ${k}`);
      let schema = fmt[k];
      if (schema?.alias) {
        if (schema.keyAlias) {
          if (res.get(schema.keyAlias) !== undefined) die(`key alias '${schema.keyAlias}' is already defined`);
          res.set(schema.keyAlias, k);
        }
        k = schema.alias;
        schema = fmt[k];
        if (res.get(k) !== undefined) die(`key '${k}' is already defined (via alias)`);
      }
      if (!schema) die(`invalid key in comma-separated list property: ${k}`);
      if (schema.type === "boolean") v = parseBoolean(v) ?? v;
      res.set(k, v);
    } else if (!part.includes("=")) {
      if (defaultKey) die(`duplicate key in comma-separated list property: ${defaultKey}`);
      for (const [key, s] of Object.entries(fmt)) {
        if (isTrue(s.default_key)) {
          defaultKey = key;
          if (!res.get(key)) {
            res.set(key, s.type === "boolean" ? (parseBoolean(part) ?? part) : part);
            break;
          }
          die(`duplicate key in comma-separated list property: ${defaultKey}`);
        }
      }
      if (!defaultKey) die("value without key, but schema does not define a default key");
    } else {
      die("missing key in comma-separated list property");
    }
  }
  const errors: ParamErrors = new Map();
  checkObject(p, fmt, res, 0, errors);
  if (errors.size > 0) throw new PropertyStringError(errors);
  const out: Record<string, string | number> = {};
  for (const [k, v] of res) if (typeof v === "string" || typeof v === "number") out[k] = v;
  return out;
}

/** print_property_string for the simple cases the simulator writes (default key first, no quoting). */
export function printPropertyString(obj: Record<string, string | number | undefined>, order: string[], defaultKey?: string): string {
  const parts: string[] = [];
  if (defaultKey && obj[defaultKey] !== undefined) parts.push(String(obj[defaultKey]));
  const keys = [...order, ...Object.keys(obj).filter((k) => !order.includes(k)).sort()];
  for (const k of keys) {
    if (k === defaultKey) continue;
    const v = obj[k];
    if (v === undefined) continue;
    parts.push(`${k}=${v}`);
  }
  return parts.join(",");
}
