import { readFileSync } from "node:fs";
import path from "node:path";
import { checkText } from "./schema-check";
import { truthy, type PveApiSchema, type PveHttpMethod, type PveMethodInfo, type PveProp, type PveSchemaNode } from "./schema-types";

export type { PveApiSchema, PveHttpMethod, PveProp } from "./schema-types";

/**
 * Validates requests (and responses) against PVE's official API description, the same tree
 * the API viewer renders. Used by tests to prove the client sends nothing the real server
 * would reject, and by simulator authors to check their answers.
 */

/** Where pve-8.4.json / pve-9.1.json live: `../shared/pve-api` from the app root, or $PVE_API_SCHEMA_DIR. */
export function pveSchemaDir(): string {
  return process.env.PVE_API_SCHEMA_DIR ?? path.resolve(process.cwd(), "../shared/pve-api");
}

const loaded = new Map<string, PveApiSchema>();

/** Loads `pve-<version>.json` (e.g. "8.4", "9.1"), once per process. */
export function loadPveSchema(version: string, dir = pveSchemaDir()): PveApiSchema {
  const file = path.join(dir, `pve-${version}.json`);
  const cached = loaded.get(file);
  if (cached) return cached;
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(parsed) || !parsed.every((n: unknown) => typeof n === "object" && n !== null && typeof (n as { path?: unknown }).path === "string")) {
    throw new Error(`${file} is not a PVE API description (expected an array of {path, info, children})`);
  }
  const schema = parsed as PveApiSchema;
  loaded.set(file, schema);
  return schema;
}

type Endpoint = { node: PveSchemaNode; info: PveMethodInfo | undefined; pathParams: Record<string, string> };

const flattened = new WeakMap<PveApiSchema, PveSchemaNode[]>();

function allNodes(schema: PveApiSchema): PveSchemaNode[] {
  let list = flattened.get(schema);
  if (!list) {
    list = [];
    const stack = [...schema];
    while (stack.length > 0) {
      const node = stack.pop();
      if (!node) break;
      list.push(node);
      if (node.children) stack.push(...node.children);
    }
    flattened.set(schema, list);
  }
  return list;
}

function segments(p: string): string[] {
  return p.split("/").filter((s) => s !== "");
}

/**
 * Finds the schema node for a concrete path: `{name}` segments match any value and are
 * captured as path parameters. When several nodes match, the one with literal segments
 * earliest wins (`/nodes/{node}/qemu` over a hypothetical `/nodes/{node}/{x}`).
 */
export function findEndpoint(schema: PveApiSchema, method: PveHttpMethod, apiPath: string): Endpoint | undefined {
  // Tolerate a full request path: drop the query and the /api2/json prefix.
  const want = segments(apiPath.replace(/\?.*$/s, "").replace(/^\/?api2\/json(?=\/|$)/, ""));
  let best: { endpoint: Endpoint; score: string } | undefined;
  for (const node of allNodes(schema)) {
    const have = segments(node.path);
    if (have.length !== want.length) continue;
    const pathParams: Record<string, string> = {};
    let score = "";
    let ok = true;
    for (let i = 0; i < have.length && ok; i++) {
      const seg = have[i] ?? "";
      const actual = want[i] ?? "";
      const param = /^\{(.+)\}$/.exec(seg);
      if (param?.[1]) {
        pathParams[param[1]] = actual;
        score += "0";
      } else {
        ok = seg === actual;
        score += "1";
      }
    }
    if (ok && (!best || score > best.score)) best = { endpoint: { node, info: node.info?.[method], pathParams }, score };
  }
  return best?.endpoint;
}

/** `net0` → `net[n]`, `ipconfig12` → `ipconfig[n]`: how the dump names indexed parameters. */
function declaredName(properties: Record<string, PveProp>, name: string): string | undefined {
  if (Object.hasOwn(properties, name)) return name;
  const m = /^(.*\D)(\d+)$/.exec(name);
  if (m && Object.hasOwn(properties, `${m[1]}[n]`)) {
    const prop = properties[`${m[1]}[n]`];
    // Descriptions state the range, e.g. "(n is 0 to 30)"; honour it when present.
    const range = prop?.description ? /\(n is (\d+) to (\d+)\)/.exec(prop.description) : null;
    if (range && (Number(m[2]) < Number(range[1]) || Number(m[2]) > Number(range[2]))) return undefined;
    return `${m[1]}[n]`;
  }
  return undefined;
}

/**
 * Every violation of one request: unknown endpoint or method, undeclared or missing
 * parameters, and each value checked for type, enum, pattern, range, length and format.
 * `params` are the decoded text values the server's form decoder sees (body + query);
 * path parameters (`{node}`, `{vmid}`, …) are taken from `apiPath` and checked as well.
 */
export function validateRequest(schema: PveApiSchema, method: PveHttpMethod, apiPath: string, params: Record<string, string>): string[] {
  const endpoint = findEndpoint(schema, method, apiPath);
  if (!endpoint) return [`no such API path: ${apiPath}`];
  if (!endpoint.info) return [`method ${method} not allowed on ${endpoint.node.path}`];
  const declared = endpoint.info.parameters?.properties ?? {};
  const additional = endpoint.info.parameters?.additionalProperties;
  const errors: string[] = [];
  const all: Record<string, string> = { ...params };
  for (const [name, value] of Object.entries(endpoint.pathParams)) {
    if (Object.hasOwn(params, name) && params[name] !== value) errors.push(`${name}: sent in the body as '${params[name]}' but the path says '${value}'`);
    all[name] = value;
  }

  const present = new Set<string>();
  for (const [name, value] of Object.entries(all)) {
    const key = declaredName(declared, name);
    const prop = key === undefined ? undefined : declared[key];
    if (!prop) {
      if (!truthy(additional)) errors.push(`${name}: property is not defined in schema and the schema does not allow additional properties`);
      continue;
    }
    present.add(key ?? name);
    errors.push(...checkText(value, prop, name));
    if (typeof prop.requires === "string" && !Object.hasOwn(all, prop.requires)) errors.push(`${prop.requires}: missing property required by '${name}'`);
  }
  for (const [name, prop] of Object.entries(declared)) {
    if (!truthy(prop.optional) && !name.endsWith("[n]") && !present.has(name)) errors.push(`${name}: property is missing and it is not optional`);
  }
  return errors;
}

/**
 * Checks a response's `data` against the endpoint's `returns` description: type, object
 * properties (missing non-optional ones; extras only when additionalProperties is 0),
 * array items, and scalar rules. Scalars follow Perl's view: integers/numbers may be numeric
 * strings (PVE really sends `"100"` for /cluster/nextid), booleans may be 0/1 or true/false.
 */
export function validateResponse(schema: PveApiSchema, method: PveHttpMethod, apiPath: string, data: unknown): string[] {
  const endpoint = findEndpoint(schema, method, apiPath);
  if (!endpoint) return [`no such API path: ${apiPath}`];
  if (!endpoint.info) return [`method ${method} not allowed on ${endpoint.node.path}`];
  const returns = endpoint.info.returns;
  if (!returns) return [];
  return checkJson(data, returns, "data", true);
}

function checkJson(value: unknown, prop: PveProp, at: string, topLevel = false): string[] {
  const types = prop.type === undefined ? [] : Array.isArray(prop.type) ? prop.type : [prop.type];
  if (value === null || value === undefined) {
    if (types.includes("null") || types.length === 0 || types.includes("any")) return [];
    return topLevel && truthy(prop.optional) ? [] : [`${at}: value is null but type is '${types.join("|")}'`];
  }
  if (types.length === 0 || types.includes("any")) return [];
  if (types.length === 1 && types[0] === "null") return [`${at}: type check ('null') failed - value is not null`];
  const errors: string[] = [];
  if (types.includes("array")) {
    if (!Array.isArray(value)) return [`${at}: type check ('array') failed`];
    if (prop.items) value.forEach((item, i) => errors.push(...checkJson(item, prop.items as PveProp, `${at}[${i}]`)));
    return errors;
  }
  if (types.includes("object")) {
    if (typeof value !== "object" || Array.isArray(value)) return [`${at}: type check ('object') failed`];
    const record = value as Record<string, unknown>;
    const properties = prop.properties ?? {};
    for (const [key, sub] of Object.entries(properties)) {
      const v = record[key];
      if (v === undefined || v === null) {
        if (!truthy(sub.optional) && !(sub.type === "null")) errors.push(`${at}.${key}: property is missing and it is not optional`);
        continue;
      }
      errors.push(...checkJson(v, sub, `${at}.${key}`));
    }
    const ap = prop.additionalProperties;
    if (ap !== undefined && !truthy(ap) && typeof ap !== "object") {
      for (const key of Object.keys(record)) if (!Object.hasOwn(properties, key)) errors.push(`${at}.${key}: property is not defined in schema`);
    }
    return errors;
  }
  return checkJsonScalar(value, prop, types, at);
}

function checkJsonScalar(value: unknown, prop: PveProp, types: string[], at: string): string[] {
  if (typeof value === "boolean") {
    return types.includes("boolean") ? [] : [`${at}: type check ('${types.join("|")}') failed - got a boolean`];
  }
  if (typeof value === "object") return [`${at}: type check ('${types.join("|")}') failed - got ${Array.isArray(value) ? "an array" : "an object"}`];
  if (typeof value === "string" && types.length === 1 && types[0] === "string") return checkText(value, prop, at);
  if (typeof value === "number" && types.includes("string") && !types.some((t) => t === "integer" || t === "number")) {
    return [`${at}: type check ('string') failed - got the number ${value}`];
  }
  const text = String(value);
  if (types.includes("integer") && typeof value === "number" && !Number.isInteger(value)) return [`${at}: type check ('integer') failed - got '${text}'`];
  return checkText(text, prop, at);
}
