/**
 * Indexes made by raw SQL in a migration because Prisma's schema cannot express them (partial
 * indexes: `WHERE …`). Each one says why it exists; the schema-agreement test
 * (lib/db/schema-agreement.int.test.ts) checks that the migrated database has exactly these
 * beside the indexes prisma/schema.prisma declares, with these columns and predicates.
 */
export type RawIndex = {
  table: string;
  name: string;
  unique: boolean;
  columns: string[];
  /** The predicate as PostgreSQL prints it (`pg_get_expr(indpred, indrelid)`). */
  predicate: string;
  reason: string;
};

/** The index that keeps a provider id held by one live VM per connection. */
export const VM_LIVE_REF_INDEX = "Vm_providerId_providerRefId_live_key";

export const RAW_INDEXES: readonly RawIndex[] = [
  {
    table: "Vm",
    name: VM_LIVE_REF_INDEX,
    unique: true,
    columns: ["providerId", "providerRefId"],
    predicate: '(("deletedAt" IS NULL) AND ("providerRefId" IS NOT NULL))',
    reason:
      "Two portal processes never hand out the same provider id (issue 9): a live VM's id is unique per connection, while deleted VMs keep the id they had (a provider reuses ids)",
  },
];

/**
 * Whether `error` is PostgreSQL refusing a row for the unique index `index` (SQLSTATE 23505),
 * as thrown by Prisma (P2002, the driver adapter's cause naming the index) or by pg itself.
 * Looks through `cause`, `meta` and `driverAdapterError`.
 */
export function isUniqueViolation(error: unknown, index: string): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  let unique = false;
  let named = false;
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (o.code === "P2002" || o.code === "23505" || o.originalCode === "23505" || o.kind === "UniqueConstraintViolation") unique = true;
    for (const value of Object.values(o)) {
      if (typeof value === "string" && value.includes(index)) named = true;
      else if (value && typeof value === "object") queue.push(value);
    }
    if (e instanceof Error && e.message.includes(index)) named = true;
  }
  return unique && named;
}
