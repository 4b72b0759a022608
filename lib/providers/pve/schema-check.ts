import { perlPatternToRegExp, resolveNamedFormat, splitList } from "./schema-formats";
import { numberOrUndefined, truthy, type PveProp } from "./schema-types";

/**
 * Checks one scalar value the way PVE::JSONSchema::check_prop does for a parameter that
 * arrived as text (form body or query string). Messages reuse PVE's own wording so a
 * violation reads like the 400 the real server would answer.
 */

// PVE::JSONSchema::is_number / is_integer
const IS_NUMBER = /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/;
const IS_INTEGER = /^[+-]?\d+$/;

function typeNames(prop: PveProp): string[] {
  if (prop.type === undefined) return [];
  return Array.isArray(prop.type) ? prop.type : [prop.type];
}

function checkScalarType(type: string, value: string): string | null {
  switch (type) {
    case "boolean":
      // The API only takes the two canonical spellings; `true`/`yes` are rejected.
      return value === "1" || value === "0" ? null : `type check ('boolean') failed - got '${value}'`;
    case "integer":
      return IS_INTEGER.test(value) ? null : `type check ('integer') failed - got '${value}'`;
    case "number":
      return IS_NUMBER.test(value) ? null : `type check ('number') failed - got '${value}'`;
    case "array":
    case "object":
      return `type check ('${type}') failed`;
    default:
      return null; // string, any, and unknown types: nothing to check
  }
}

/** Returns the violations of `value` against `prop`, each prefixed with `path`. */
export function checkText(value: string, prop: PveProp, path: string): string[] {
  const types = typeNames(prop);
  if (types.length > 0) {
    const failures = types.map((t) => checkScalarType(t, value));
    if (!failures.includes(null)) return [`${path}: ${failures.length === 1 ? failures[0] : `type check ('${types.join("|")}') failed`}`];
  }

  const errors: string[] = [];
  if (prop.format !== undefined) {
    const formatError = checkFormat(prop.format, value, path);
    if (formatError.length > 0) return formatError;
  }
  if (prop.pattern !== undefined) {
    const re = perlPatternToRegExp(prop.pattern);
    if (re && !re.test(value)) return [`${path}: value does not match the regex pattern`];
  }
  const length = [...value].length; // Perl length() of the decoded string counts characters
  const maxLength = numberOrUndefined(prop.maxLength);
  if (maxLength !== undefined && length > maxLength) return [`${path}: value may only be ${maxLength} characters long`];
  const minLength = numberOrUndefined(prop.minLength);
  if (minLength !== undefined && length < minLength) return [`${path}: value must be at least ${minLength} characters long`];
  if (IS_NUMBER.test(value)) {
    const max = numberOrUndefined(prop.maximum);
    if (max !== undefined && Number(value) > max) return [`${path}: value must have a maximum value of ${max}`];
    const min = numberOrUndefined(prop.minimum);
    if (min !== undefined && Number(value) < min) return [`${path}: value must have a minimum value of ${min}`];
  }
  if (prop.enum && !prop.enum.some((e) => String(e) === value)) {
    errors.push(`${path}: value '${value}' does not have a value in the enumeration '${prop.enum.map(String).join(", ")}'`);
  }
  return errors;
}

function checkFormat(format: PveProp["format"], value: string, path: string): string[] {
  if (format === undefined) return [];
  if (typeof format === "object") return checkPropertyString(format, value, path);
  if (format === "regex") return [];
  const named = resolveNamedFormat(format);
  switch (named.kind) {
    case "hash":
      return checkPropertyString(named.format, value, path);
    case "unknown":
      return [];
    case "verifier": {
      const items = named.list === "list" ? splitList(value) : named.list === "opt" && value === "" ? [] : [value];
      for (const item of items) {
        const problem = named.verify(item);
        if (problem) return [`${path}: invalid format - ${problem}`];
      }
      return [];
    }
  }
}

// PVE::JSONSchema::parse_boolean: inside property strings these spellings are normalised first.
function parseBoolean(text: string): string {
  if (/^(1|on|yes|true)$/i.test(text)) return "1";
  if (/^(0|off|no|false)$/i.test(text)) return "0";
  return text;
}

/**
 * A PVE property string: `key=value,key=value`, the `default_key` may appear bare (once),
 * `alias` keys are renamed (and with `keyAlias`, e.g. `virtio=MAC`, also set the aliased key),
 * then every key is checked like an object property. Mirrors parse_property_string + check_object.
 */
export function checkPropertyString(format: Record<string, PveProp>, text: string, path: string): string[] {
  const fail = (msg: string) => [`${path}: invalid format - ${msg}`];
  const values = new Map<string, string>();
  let defaultKeyUsed = false;
  for (const part of text.split(",")) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/s.exec(part);
    if (kv) {
      let key = kv[1] ?? "";
      let value = kv[2] ?? "";
      if (values.has(key)) return fail(`duplicate key in comma-separated list property: ${key}`);
      let schema = format[key];
      if (schema?.alias) {
        if (schema.keyAlias) {
          if (values.has(schema.keyAlias)) return fail(`key alias '${schema.keyAlias}' is already defined`);
          values.set(schema.keyAlias, key);
        }
        key = schema.alias;
        schema = format[key];
        if (values.has(key)) return fail(`key '${key}' is already defined (via alias)`);
      }
      if (!schema) return fail(`invalid key in comma-separated list property: ${key}`);
      if (typeNames(schema).includes("boolean")) value = parseBoolean(value);
      values.set(key, value);
    } else if (!part.includes("=")) {
      const defaultKey = Object.keys(format).find((k) => truthy(format[k]?.default_key));
      if (!defaultKey) return fail("value without key, but schema does not define a default key");
      if (defaultKeyUsed || values.has(defaultKey)) return fail(`duplicate key in comma-separated list property: ${defaultKey}`);
      defaultKeyUsed = true;
      const schema = format[defaultKey];
      values.set(defaultKey, schema && typeNames(schema).includes("boolean") ? parseBoolean(part) : part);
    } else {
      return fail("missing key in comma-separated list property");
    }
  }

  const errors: string[] = [];
  for (const [key, schema] of Object.entries(format)) {
    if (schema.alias) continue;
    const value = values.get(key);
    if (value === undefined) {
      if (!truthy(schema.optional)) errors.push(`${path}.${key}: property is missing and it is not optional`);
      continue;
    }
    errors.push(...checkText(value, schema, `${path}.${key}`));
    if (typeof schema.requires === "string" && !values.has(schema.requires)) {
      errors.push(`${path}.${schema.requires}: missing property required by '${path}.${key}'`);
    }
  }
  return errors;
}
