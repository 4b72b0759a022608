/**
 * Checks a response's `data` against an endpoint's `returns` schema (type, properties, items,
 * optional, enum, pattern, additionalProperties: 0). Indexed property names (net0) match `net[n]`.
 */
import { type SchemaProp, lookupProp, perlPattern } from "./schema";

export type ReturnsCheckOptions = {
  /**
   * Accept numeric strings for integer/number: Perl's JSON encoder writes a number that was used as a
   * string (e.g. /cluster/nextid's VMID) as a JSON string, so real PVE answers "100" for an integer.
   */
  perlNumericStrings?: boolean;
};

const isTrue = (v: unknown) => v === true || (typeof v === "number" && v !== 0) || v === "1";

export function checkReturns(schema: SchemaProp | undefined, value: unknown, opts: ReturnsCheckOptions = {}, path = "data"): string[] {
  if (!schema) return [];
  const errors: string[] = [];
  const type = Array.isArray(schema.type) ? undefined : schema.type;
  if (value === null || value === undefined) {
    if (type === "null" || isTrue(schema.optional)) return [];
    return [`${path}: is missing (${type ?? "value"} required)`];
  }
  if (type === "null") return [`${path}: expected null, got ${JSON.stringify(value)}`];
  const numericString = (v: unknown, re: RegExp) => opts.perlNumericStrings === true && typeof v === "string" && re.test(v);
  switch (type) {
    case "string":
      if (typeof value !== "string") errors.push(`${path}: expected string, got ${typeof value} ${JSON.stringify(value)}`);
      break;
    case "integer":
      if (!(typeof value === "number" && Number.isInteger(value)) && !numericString(value, /^[+-]?\d+$/)) errors.push(`${path}: expected integer, got ${JSON.stringify(value)}`);
      break;
    case "number":
      if (!(typeof value === "number" && Number.isFinite(value)) && !numericString(value, /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/)) errors.push(`${path}: expected number, got ${JSON.stringify(value)}`);
      break;
    case "boolean":
      if (!(value === true || value === false || value === 0 || value === 1)) errors.push(`${path}: expected boolean (0/1), got ${JSON.stringify(value)}`);
      break;
    case "array":
      if (!Array.isArray(value)) errors.push(`${path}: expected array, got ${typeof value}`);
      break;
    case "object":
      if (typeof value !== "object" || Array.isArray(value)) errors.push(`${path}: expected object, got ${Array.isArray(value) ? "array" : typeof value}`);
      break;
    default:
      break;
  }
  if (errors.length) return errors;

  if (schema.enum && !schema.enum.some((e) => String(e) === String(value))) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}`);
  if (schema.pattern && typeof value === "string") {
    const re = perlPattern(schema.pattern);
    if (re && !re.test(value)) errors.push(`${path}: ${JSON.stringify(value)} does not match /${schema.pattern}/`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((el, i) => errors.push(...checkReturns(schema.items, el, opts, `${path}[${i}]`)));
  }
  if (value && typeof value === "object" && !Array.isArray(value) && (schema.properties || schema.additionalProperties !== undefined)) {
    const obj = value as Record<string, unknown>;
    const props = schema.properties ?? {};
    for (const [k, sub] of Object.entries(props)) {
      if (k.endsWith("[n]")) continue;
      if (!(k in obj) || obj[k] === null) {
        if (!isTrue(sub.optional)) errors.push(`${path}.${k}: is missing and not optional`);
        continue;
      }
      errors.push(...checkReturns(sub, obj[k], opts, `${path}.${k}`));
    }
    for (const [k, v] of Object.entries(obj)) {
      if (Object.prototype.hasOwnProperty.call(props, k)) continue;
      const sub = lookupProp(props, k);
      if (sub) {
        errors.push(...checkReturns(sub, v, opts, `${path}.${k}`));
      } else if (schema.additionalProperties !== undefined && !isTrue(schema.additionalProperties) && typeof schema.additionalProperties !== "object") {
        errors.push(`${path}.${k}: not defined in the schema (additionalProperties: 0)`);
      } else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        errors.push(...checkReturns(schema.additionalProperties, v, opts, `${path}.${k}`));
      }
    }
  }
  return errors;
}
