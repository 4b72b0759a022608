import { ProviderError } from "../types";
import { NUMERIC_KEY_RE } from "./protocol-guesses";
import type { Key } from "./types";

/**
 * VergeOS list filters (doc api-guide; sdk pyvergeos/filters.py): `field op value`, joined with
 * `and` / `or`. Strings are single-quoted with an inner `'` doubled (`name eq 'o''brien'`);
 * numbers and booleans are bare. Filters on joined `#` fields do not work server-side (sdk): such
 * fields are refused here; filter those locally.
 */
export type FilterOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "bw" | "ew" | "cs" | "ct" | "rx";
export type FilterValue = string | number | boolean | null;

/** Brand for a filter built by these helpers (a plain string is not accepted by the client). */
export type Filter = string & { readonly __vergeFilter: true };

const FIELD_RE = /^\$?[A-Za-z_][A-Za-z0-9_]*$/;

function field(name: string): string {
  if (!FIELD_RE.test(name)) {
    throw new ProviderError("parameter", `Invalid VergeOS filter field: ${JSON.stringify(name)}${name.includes("#") ? " (joined fields cannot be filtered: filter them locally)" : ""}`);
  }
  return name;
}

/** A string as a filter literal: single-quoted, inner quotes doubled; control characters refused. */
export function quote(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new ProviderError("parameter", "VergeOS filter values cannot contain control characters");
  return `'${value.replace(/'/g, "''")}'`;
}

export function literal(value: FilterValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new ProviderError("parameter", `Invalid VergeOS filter number: ${value}`);
    return String(value);
  }
  return quote(value);
}

/** A key as a filter literal: bare when numeric (`machine eq 54`), quoted otherwise (UUIDs, hex). */
export function keyLiteral(key: Key<string> | string | number): string {
  const text = String(key);
  return NUMERIC_KEY_RE.test(text) ? text : quote(text);
}

/** `field op value`; a branded key is written as a key (see keyLiteral). */
export function where(name: string, op: FilterOp, value: FilterValue): Filter {
  return `${field(name)} ${op} ${literal(value)}` as Filter;
}

/** `field eq <key>` with the key bare when numeric. */
export function whereKey(name: string, key: Key<string> | number): Filter {
  return `${field(name)} eq ${keyLiteral(key)}` as Filter;
}

export function and(...parts: (Filter | undefined | false)[]): Filter {
  return parts.filter((p): p is Filter => typeof p === "string" && p !== "").join(" and ") as Filter;
}

export function or(...parts: Filter[]): Filter {
  return parts.join(" or ") as Filter;
}
