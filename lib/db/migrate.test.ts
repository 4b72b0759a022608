import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { readMigrations } from "./migrate";

it("reads migrations in name order with the SHA-256 of each file as checksum", () => {
  const migrations = readMigrations();
  expect(migrations.length).toBeGreaterThan(0);
  expect(migrations.map((m) => m.name)).toEqual([...migrations.map((m) => m.name)].sort());
  for (const m of migrations) {
    expect(m.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    const file = readFileSync(`prisma/migrations/${m.name}/migration.sql`);
    expect(m.checksum).toBe(createHash("sha256").update(file).digest("hex"));
  }
  expect(readFileSync("prisma/migrations/migration_lock.toml", "utf8")).toContain('provider = "postgresql"');
});
