import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useMigratedDatabase } from "../testing/test-db";
import { db } from "./client";
import { RAW_INDEXES } from "./raw-indexes";

/**
 * Proves that prisma/schema.prisma and the SQL migrations describe the same database:
 * (1) the migrated catalog (tables, columns, types, nullability, enums, indexes, foreign keys)
 * is exactly what Prisma derives from the schema, and (2) every model can be written with
 * every field set and read back unchanged through the generated client.
 */
type Field = {
  name: string;
  kind: "scalar" | "enum" | "object";
  type: string;
  isRequired: boolean;
  isList: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
};
type Model = { name: string; fields: Field[] };
type Index = { model: string; type: "id" | "unique" | "normal" | "fulltext"; fields: { name: string }[]; dbName?: string | null };
type Dmmf = { datamodel: { models: Model[]; enums: { name: string; values: { name: string }[] }[]; indexes: Index[] } };

const require = createRequire(import.meta.url);
const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf: (params: string) => string };
const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: readFileSync("prisma/schema.prisma", "utf8") }))) as Dmmf;
const models = dmmf.datamodel.models;

function expectedType(f: Field): string {
  if (f.isList) return `${expectedType({ ...f, isList: false })}[]`;
  if (f.kind === "enum") return f.type;
  if (f.nativeType?.[0] === "VarChar") return `character varying(${f.nativeType[1][0]})`;
  if (f.nativeType?.[0] === "Decimal") return `numeric(${f.nativeType[1].join(",")})`;
  const map: Record<string, string> = {
    String: "text",
    Int: "integer",
    BigInt: "bigint",
    Boolean: "boolean",
    DateTime: "timestamp(3) without time zone",
    Json: "jsonb",
    Float: "double precision",
  };
  const t = map[f.type];
  if (!t) throw new Error(`extend expectedType for ${f.type}`);
  return t;
}

let database: { url: string; drop: () => Promise<void> };
let client: pg.Client;

beforeAll(async () => {
  database = await useMigratedDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await database.drop();
});

describe("migrations match the Prisma schema", () => {
  it("has exactly the schema's tables", async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(models.map((m) => m.name).sort());
  });

  it.each(models.map((m) => [m.name, m] as const))("%s has the schema's columns, types and nullability", async (_name, model) => {
    const { rows } = await client.query<{ column_name: string; type: string; is_nullable: "YES" | "NO" }>(
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
              CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable
         FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
      [`"${model.name}"`],
    );
    const actual = Object.fromEntries(rows.map((r) => [r.column_name, { type: r.type.replace(/^"(.*)"$/, "$1"), nullable: r.is_nullable === "YES" }]));
    const expected = Object.fromEntries(
      // Prisma creates scalar-list columns without NOT NULL.
      model.fields.filter((f) => f.kind !== "object").map((f) => [f.name, { type: expectedType(f), nullable: f.isList || !f.isRequired }]),
    );
    expect(actual).toEqual(expected);
  });

  it("has the schema's enums with their values in order", async () => {
    const { rows } = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const actual = Object.fromEntries(rows.map((r) => [r.name, r.labels]));
    const expected = Object.fromEntries(dmmf.datamodel.enums.map((e) => [e.name, e.values.map((v) => v.name)]));
    expect(actual).toEqual(expected);
  });

  it("has exactly the schema's indexes, named as Prisma names them, plus the listed raw-SQL (partial) indexes", async () => {
    const { rows: all } = await client.query<{ table: string; name: string; unique: boolean; primary: boolean; columns: string[]; predicate: string | null }>(
      `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
              array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
              pg_get_expr(ix.indpred, ix.indrelid) AS predicate
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    );
    // Prisma cannot declare a partial index: every one in the database must be listed, with its
    // reason, in lib/db/raw-indexes.ts, exactly as migrated; the rest must be the schema's.
    const partial = all.filter((r) => r.predicate !== null).map((r) => ({ table: r.table, name: r.name, unique: r.unique, columns: r.columns, predicate: r.predicate }));
    const listed = RAW_INDEXES.map(({ table, name, unique, columns, predicate }) => ({ table, name, unique, columns, predicate }));
    expect(partial.sort((a, b) => a.name.localeCompare(b.name))).toEqual([...listed].sort((a, b) => a.name.localeCompare(b.name)));
    for (const raw of RAW_INDEXES) expect(raw.reason.length, raw.name).toBeGreaterThan(20);
    const rows = all.filter((r) => r.predicate === null).map(({ predicate: _predicate, ...r }) => r);
    const suffix = { id: "pkey", unique: "key", normal: "idx", fulltext: "idx" } as const;
    const expected = dmmf.datamodel.indexes
      .map((ix) => {
        const columns = ix.fields.map((f) => f.name);
        const name = ix.dbName ?? (ix.type === "id" ? `${ix.model}_pkey` : `${ix.model}_${columns.join("_")}_${suffix[ix.type]}`);
        return { table: ix.model, name, unique: ix.type !== "normal", primary: ix.type === "id", columns };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    expect([...rows].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected);
  });

  it("has the schema's foreign keys with their delete rules", async () => {
    const { rows } = await client.query<{ name: string; table: string; columns: string[]; references: string; on_delete: string }>(
      `SELECT c.conname AS name, t.relname AS table, r.relname AS references,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
              c.confdeltype AS on_delete
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
        WHERE c.contype = 'f'`,
    );
    const rule: Record<string, string> = { Cascade: "c", Restrict: "r", SetNull: "n", NoAction: "a", SetDefault: "d" };
    const expected = models
      .flatMap((m) =>
        m.fields
          .filter((f) => f.kind === "object" && f.relationFromFields?.length)
          .map((f) => ({
            name: `${m.name}_${f.relationFromFields!.join("_")}_fkey`,
            table: m.name,
            references: f.type,
            columns: f.relationFromFields!,
            on_delete: rule[f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull")],
          })),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    expect([...rows].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected);
  });
});

describe("every model round-trips through the generated client", () => {
  // Parents first: a model is created after every model its required relations point to.
  function creationOrder(): Model[] {
    const done = new Set<string>();
    const ordered: Model[] = [];
    while (ordered.length < models.length) {
      const next = models.find(
        (m) => !done.has(m.name) && m.fields.every((f) => f.kind !== "object" || !f.relationFromFields?.length || f.type === m.name || done.has(f.type)),
      );
      if (!next) throw new Error("relation cycle");
      done.add(next.name);
      ordered.push(next);
    }
    return ordered;
  }

  it("writes every field of every model and reads the same values back", async () => {
    const created = new Map<string, Record<string, unknown>>();
    const enums = Object.fromEntries(dmmf.datamodel.enums.map((e) => [e.name, e.values.map((v) => v.name)]));
    let n = 0;
    for (const model of creationOrder()) {
      n += 1;
      const data: Record<string, unknown> = {};
      const fkValues: Record<string, unknown> = {};
      for (const f of model.fields) {
        if (f.kind !== "object" || !f.relationFromFields?.length) continue;
        const parent = created.get(f.type);
        f.relationFromFields.forEach((from, i) => (fkValues[from] = parent?.[f.relationToFields![i]!]));
      }
      for (const f of model.fields) {
        if (f.kind === "object") continue;
        if (f.name in fkValues) data[f.name] = fkValues[f.name];
        else if (f.kind === "enum") data[f.name] = enums[f.type]!.at(-1);
        else
          data[f.name] = (
            {
              String: `${model.name}-${f.name}-${n}`,
              Int: 100 + n,
              BigInt: BigInt(9_000_000_000 + n),
              Boolean: true,
              DateTime: new Date(Date.UTC(2030, 0, n, 1, 2, 3, 456)),
              Json: { model: model.name, list: [1, "two", null] },
              Decimal: "1234.5",
            } as Record<string, unknown>
          )[f.type];
        if (f.isList) data[f.name] = [data[f.name], `${String(data[f.name])}-2`];
      }
      const delegate = (db() as unknown as Record<string, { create: (a: unknown) => Promise<Record<string, unknown>> }>)[
        model.name[0]!.toLowerCase() + model.name.slice(1)
      ]!;
      const row = await delegate.create({ data });
      const expected = { ...data };
      // @updatedAt fields are set by the client at write time.
      for (const f of model.fields) if (f.isUpdatedAt) delete expected[f.name];
      // Decimal columns come back as Decimal objects: compare them by value.
      const byValue = (r: Record<string, unknown> | undefined) =>
        Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, v && typeof v === "object" && "toFixed" in v ? String(v) : v]));
      expect(byValue(row), model.name).toMatchObject(expected);
      const findMany = (db() as unknown as Record<string, { findMany: () => Promise<Record<string, unknown>[]> }>)[
        model.name[0]!.toLowerCase() + model.name.slice(1)
      ]!.findMany;
      const readBack = await findMany();
      expect(byValue(readBack.at(-1)), model.name).toMatchObject(expected);
      created.set(model.name, row);
    }
    expect(created.size).toBe(models.length);
  });
});
