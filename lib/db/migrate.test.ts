import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { checksumOf, readMigrations } from "./migrate";

/**
 * Checksums as Prisma records them in `_prisma_migrations.checksum`: the SHA-256 (hex) of the
 * migration.sql file's exact text. The expected values were computed independently with
 * `sha256sum <file>` (not with the code under test), so hashing anything else (an empty string,
 * the file's name, text with line endings or Unicode normalised) fails here.
 */
const FIXTURE_DIR = path.join(import.meta.dirname, "fixtures", "checksum");

/** `sha256sum lib/db/fixtures/checksum/20260101000000_fixture/migration.sql` (CRLF and LF lines, non-ASCII text, no final newline). */
const FIXTURE_SHA256 = "30d6fccad306d85760bfa54d315d54c54f692e7aeef7c4e5fe137662a5ad3a20";

/** `sha256sum prisma/migrations/<name>/migration.sql`. Applied migrations never change, so neither do these. */
const APPLIED_SHA256: Record<string, string> = {
  "20261122070000_init": "c714fca76d5badca94017c2d2e9435e158b1088296e771582b7bed466871d20f",
  "20261122090000_teams_plans_prices": "cc18b041e36d8e4d116c00f2eb51058c0fe3ff7d238d48758e36669154aa9b49",
  "20261122100000_template_publish_twice": "44680a4453d7d175944b7472fa53f7279b859b195c5bb6a7b007910180b7544f",
};

it("a migration's checksum is the SHA-256 of its file's exact content (known value from sha256sum)", () => {
  const [fixture, ...rest] = readMigrations(FIXTURE_DIR);
  expect(rest).toEqual([]);
  expect(fixture!.name).toBe("20260101000000_fixture");
  expect(fixture!.sql).toContain("\r\n");
  expect(fixture!.sql).toContain("naïve");
  expect(fixture!.checksum).toBe(FIXTURE_SHA256);
  expect(checksumOf(readFileSync(path.join(FIXTURE_DIR, "20260101000000_fixture", "migration.sql"), "utf8"))).toBe(FIXTURE_SHA256);
});

it("the project's applied migrations keep the checksums Prisma recorded for them", () => {
  const byName = Object.fromEntries(readMigrations().map((m) => [m.name, m.checksum]));
  for (const [name, sha] of Object.entries(APPLIED_SHA256)) expect(byName[name], name).toBe(sha);
});

it("reads migrations in name order, named as Prisma names them, with the PostgreSQL lock file", () => {
  const migrations = readMigrations();
  expect(migrations.length).toBeGreaterThanOrEqual(Object.keys(APPLIED_SHA256).length);
  expect(migrations.map((m) => m.name)).toEqual([...migrations.map((m) => m.name)].sort());
  for (const m of migrations) expect(m.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
  expect(readFileSync("prisma/migrations/migration_lock.toml", "utf8")).toContain('provider = "postgresql"');
});
