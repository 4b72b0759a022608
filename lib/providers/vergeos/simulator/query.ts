/**
 * List parameters as the simulator reads them: `filter` (`field op value` joined by `and`/`or`,
 * strings single-quoted with `''` for a quote, numbers/booleans/null bare), `fields`, `sort`,
 * `limit` (0 = all), `offset`. A malformed filter is a 400, as a half-escaped quote would be.
 */
export type Row = Record<string, unknown>;
type Cond = { field: string; op: string; value: string | number | boolean | null };
type Expr = { conds: Cond[][] }; // OR of ANDs

export class QueryError extends Error {}

const OPS = new Set(["eq", "ne", "gt", "ge", "lt", "le", "bw", "ew", "cs", "ct", "rx"]);

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? "";
    if (c === " ") {
      i++;
      continue;
    }
    if (c === "'") {
      let out = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new QueryError(`Unterminated string in filter: ${text}`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        out += text[i];
        i++;
      }
      tokens.push(`'${out}`); // marked as string
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== " " && text[j] !== "'") j++;
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

export function parseFilter(text: string): Expr {
  const tokens = tokenize(text.trim());
  const expr: Expr = { conds: [[]] };
  let k = 0;
  for (;;) {
    const field = tokens[k];
    const op = tokens[k + 1];
    const raw = tokens[k + 2];
    if (field === undefined || op === undefined || raw === undefined) throw new QueryError(`Invalid filter: ${text}`);
    if (!/^\$?[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new QueryError(`Invalid filter field '${field}'`);
    if (!OPS.has(op)) throw new QueryError(`Invalid filter operator '${op}'`);
    let value: Cond["value"];
    if (raw.startsWith("'")) value = raw.slice(1);
    else if (raw === "true" || raw === "false") value = raw === "true";
    else if (raw === "null") value = null;
    else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
    else throw new QueryError(`Invalid filter value '${raw}' (strings must be single-quoted)`);
    expr.conds[expr.conds.length - 1]?.push({ field, op, value });
    k += 3;
    const joiner = tokens[k];
    if (joiner === undefined) return expr;
    if (joiner === "and") k++;
    else if (joiner === "or") {
      expr.conds.push([]);
      k++;
    } else throw new QueryError(`Invalid filter near '${joiner}'`);
  }
}

function cmp(a: unknown, b: Cond["value"]): number {
  if (typeof b === "number") return Number(a) - b;
  return String(a ?? "").localeCompare(String(b ?? ""));
}

function test(row: Row, c: Cond): boolean {
  const v = row[c.field];
  const sv = String(v ?? "");
  const bv = String(c.value ?? "");
  switch (c.op) {
    case "eq":
      if (c.value === null) return v === null || v === undefined;
      if (typeof c.value === "boolean") return v === c.value;
      if (typeof c.value === "number") return typeof v === "number" ? v === c.value : sv === bv && sv !== "";
      return typeof v === "string" && v === c.value; // a string literal never equals a number column
    case "ne":
      return !test(row, { ...c, op: "eq" });
    case "gt":
      return cmp(v, c.value) > 0;
    case "ge":
      return cmp(v, c.value) >= 0;
    case "lt":
      return cmp(v, c.value) < 0;
    case "le":
      return cmp(v, c.value) <= 0;
    case "bw":
      return sv.startsWith(bv);
    case "ew":
      return sv.endsWith(bv);
    case "cs":
      return sv.includes(bv);
    case "ct":
      return sv.toLowerCase().includes(bv.toLowerCase());
    case "rx":
      try {
        return new RegExp(bv).test(sv);
      } catch {
        throw new QueryError(`Invalid regex '${bv}'`);
      }
    default:
      return false;
  }
}

export function matches(row: Row, expr: Expr): boolean {
  return expr.conds.some((all) => all.every((c) => test(row, c)));
}

/** Splits a fields list on top-level commas (not inside [] or ()). */
export function splitFields(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "[" || ch === "(") depth++;
    if (ch === "]" || ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Projects a row. `resolve(expr)` answers joined fields (`machine#status#running`) and functions
 * (`count(resources)`); plain names are copied; `x as y` renames. `all`, `most`, `summary` keep all.
 */
export function project(row: Row, fields: string | null, resolve: (expr: string) => unknown): Row {
  if (!fields || ["all", "most", "summary"].includes(fields.trim())) return { ...row };
  const out: Row = {};
  for (const spec of splitFields(fields)) {
    const m = /^(.*?)\s+as\s+(\S+)$/.exec(spec);
    const expr = (m ? m[1] : spec)?.trim() ?? "";
    const name = m ? (m[2] ?? expr) : expr;
    if (expr.includes("#") || expr.includes("(")) out[name] = resolve(expr);
    else if (expr in row) out[name] = row[expr];
  }
  return out;
}

export function sortRows(rows: Row[], sort: string | null): Row[] {
  if (!sort) return rows;
  const desc = sort.startsWith("-");
  const field = sort.replace(/^[+-]/, "");
  return [...rows].sort((a, b) => {
    const x = a[field];
    const y = b[field];
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x ?? "").localeCompare(String(y ?? ""));
    return desc ? -c : c;
  });
}
