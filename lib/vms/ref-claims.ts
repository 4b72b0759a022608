import { db } from "../db/client";

/** How long a provider id handed out at accept stays claimed (its VM row exists long before), ms. */
export const REF_CLAIM_MS = 10 * 60_000;

/**
 * Claims provider id `refId` of connection `providerId` for a create being accepted, for every
 * portal process at once (table VmRefClaim): true when it is now this request's, false when a
 * live VM holds it or another request claimed it less than `holdMs` ago. One statement, committed
 * at once: two web processes asking for the same id at the same moment get one true and one
 * false (the second waits for the first's row), so they never hand out the same id to two creates
 * (before this, both wrote their VM rows and the loser's accept failed on the unique index of
 * live VMs' ids, lib/db/raw-indexes.ts, again and again as both processes counted up in step).
 * A claim is not released when its VM row is written: it lapses (lib/jobs/worker.ts removes it).
 */
export async function claimProviderRef(providerId: string, refId: string, now = new Date(), holdMs = REF_CLAIM_MS): Promise<boolean> {
  // Timestamps in UTC, as Prisma stores DateTime ("until" is timestamp(3) without time zone).
  const at = now.toISOString();
  const until = new Date(now.getTime() + holdMs).toISOString();
  const rows = await db().$queryRaw<{ claimed: number }[]>`
    INSERT INTO "VmRefClaim" ("providerId", "refId", "until")
    SELECT ${providerId}, ${refId}, (CAST(${until} AS timestamptz) AT TIME ZONE 'UTC')
    WHERE NOT EXISTS (SELECT 1 FROM "Vm" WHERE "providerId" = ${providerId} AND "providerRefId" = ${refId} AND "deletedAt" IS NULL)
    ON CONFLICT ("providerId", "refId") DO UPDATE SET "until" = EXCLUDED."until"
      WHERE "VmRefClaim"."until" < (CAST(${at} AS timestamptz) AT TIME ZONE 'UTC')
    RETURNING 1 AS claimed`;
  return rows.length === 1;
}

/** Removes the claims that lapsed before `now` (the worker's housekeeping). Returns how many. */
export async function removeLapsedRefClaims(now = new Date()): Promise<number> {
  return (await db().vmRefClaim.deleteMany({ where: { until: { lt: now } } })).count;
}
