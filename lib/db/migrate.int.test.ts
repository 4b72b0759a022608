import { cpSync, mkdtempSync, mkdirSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createEmptyDatabase } from "../testing/test-db";
import { checksumOf, migrate, MigrationError, readMigrations } from "./migrate";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // Connections (unshifted) close before their database (pushed) is dropped.
  while (cleanups.length) await cleanups.shift()!();
});

async function freshDatabase() {
  const database = await createEmptyDatabase("hangar_mig");
  cleanups.push(database.drop);
  return database;
}

async function connect(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.unshift(() => client.end());
  return client;
}

function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "hangar-migrations-"));
  cpSync("prisma/migrations", dir, { recursive: true });
  return dir;
}

type MigrationRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number; logs: string | null };

describe("npm run db:migrate (lib/db/migrate.ts)", () => {
  it("applies every migration once, records it as Prisma does, and is a no-op the second time", async () => {
    const { url } = await freshDatabase();
    const client = await connect(url);
    const expected = readMigrations();
    const first = await migrate(client);
    expect(first.applied).toEqual(expected.map((m) => m.name));
    const second = await migrate(client);
    expect(second).toEqual({ applied: [], alreadyApplied: expected.length });

    const { rows } = await client.query<MigrationRow & { id: string }>(`SELECT * FROM "_prisma_migrations" ORDER BY started_at`);
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => {
      expect(row.migration_name).toBe(expected[i]!.name);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.checksum).toBe(expected[i]!.checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  it("records the SHA-256 of migration.sql, as Prisma does (value from `sha256sum`)", async () => {
    const { url } = await freshDatabase();
    const client = await connect(url);
    await migrate(client);
    const { rows } = await client.query<{ checksum: string }>(`SELECT checksum FROM "_prisma_migrations" WHERE migration_name = '20261122070000_init'`);
    // `sha256sum prisma/migrations/20261122070000_init/migration.sql`, computed outside this code.
    expect(rows[0]?.checksum).toBe("c714fca76d5badca94017c2d2e9435e158b1088296e771582b7bed466871d20f");
    // `printf 'SELECT 1;\r\n-- café\n' | sha256sum`: the text as it is, line endings and UTF-8 included.
    expect(checksumOf("SELECT 1;\r\n-- café\n")).toBe("caddfba60aaefa320a37c4876a7d62b1b0e394172a21acb25e4be7482f21beb8");
  });

  it("is safe when several processes migrate at once: each migration is applied exactly once", async () => {
    const { url } = await freshDatabase();
    const clients = await Promise.all(Array.from({ length: 6 }, () => connect(url)));
    const results = await Promise.all(clients.map((c) => migrate(c)));
    const appliedTotal = results.flatMap((r) => r.applied);
    expect(appliedTotal.sort()).toEqual(readMigrations().map((m) => m.name).sort());
    const { rows } = await clients[0]!.query<{ count: string }>(`SELECT count(*) FROM "_prisma_migrations"`);
    expect(Number(rows[0]!.count)).toBe(readMigrations().length);
  });

  it("refuses to go on when an applied migration was edited afterwards", async () => {
    const { url } = await freshDatabase();
    const client = await connect(url);
    const dir = copyOfMigrations();
    await migrate(client, dir);
    const first = readMigrations(dir)[0]!;
    appendFileSync(path.join(dir, first.name, "migration.sql"), "\n-- edited\n");
    await expect(migrate(client, dir)).rejects.toThrow(/was modified after it was applied/);
  });

  it("a failing migration leaves nothing half-applied and is recorded as rolled back", async () => {
    const { url } = await freshDatabase();
    const client = await connect(url);
    const dir = copyOfMigrations();
    mkdirSync(path.join(dir, "29990101000000_broken"));
    writeFileSync(path.join(dir, "29990101000000_broken", "migration.sql"), `CREATE TABLE "Half" ("id" TEXT);\nSELECT no_such_function();\n`);
    await expect(migrate(client, dir)).rejects.toBeInstanceOf(MigrationError);
    const half = await client.query(`SELECT to_regclass('"Half"') AS t`);
    expect(half.rows[0].t).toBeNull();
    const { rows } = await client.query<MigrationRow>(`SELECT * FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`);
    expect(rows[0]!.rolled_back_at).toBeInstanceOf(Date);
    expect(rows[0]!.logs).toMatch(/no_such_function/);
    // Fixed and retried, it applies.
    writeFileSync(path.join(dir, "29990101000000_broken", "migration.sql"), `CREATE TABLE "Half" ("id" TEXT);\n`);
    expect((await migrate(client, dir)).applied).toEqual(["29990101000000_broken"]);
  });
});
