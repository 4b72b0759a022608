import type { Db } from "./client";

type Tx = Pick<Db.Prisma.TransactionClient, "user" | "$queryRaw">;

/**
 * THE lock order of Hangar. Every transaction that takes more than one row lock takes them in
 * this order, and never the other way round:
 *
 *   1. the owner's Team row   (quota shared by a team)
 *   2. the owner's User row   (the user's quota)
 *   3. a GPU pool             (a transaction-scoped advisory lock per provider connection and
 *                              GPU type: two requests never get the same device; lockGpuPool)
 *   4. the Vm row             (one task at a time on a VM)
 *   5. rows it then writes    (Task, TaskStep, TaskLog, AuditEvent, pg-boss job)
 *
 * Explicit locks are `FOR NO KEY UPDATE`, not `FOR UPDATE`: they still exclude each other (so
 * quota checks and "one task per VM" are decided one after another), but they do not conflict
 * with the `FOR KEY SHARE` locks PostgreSQL takes implicitly on referenced rows when a row
 * with a foreign key is inserted (a Task references its requester's User and its Vm). With
 * `FOR UPDATE`, a reboot holding the Vm row waited for the User row behind its task's foreign
 * key while a resize held the User row and waited for the Vm row: a deadlock (issue 7, finding 5).
 *
 * Paths that take only one of these locks may skip the others; none may take a later one and
 * then an earlier one. Transactions that PostgreSQL still aborts (deadlock 40P01, serialization
 * failure 40001) are retried by `transaction()` in ./transaction.ts.
 */
export const LOCK_ORDER = ["Team", "User", "GpuPool", "Vm"] as const;

/** Locks the quota scope of `userId`: the user's team (if any), then the user. Returns the team id. */
export async function lockQuotaScope(tx: Tx, userId: string): Promise<{ teamId: string | null }> {
  const owner = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { teamId: true } });
  if (owner.teamId) await tx.$queryRaw`SELECT id FROM "Team" WHERE id = ${owner.teamId} FOR NO KEY UPDATE`;
  await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId} FOR NO KEY UPDATE`;
  return { teamId: owner.teamId };
}

/** Locks one VM's row (after lockQuotaScope when both are needed). */
export async function lockVm(tx: Tx, vmId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Vm" WHERE id = ${vmId} FOR NO KEY UPDATE`;
}

/**
 * Locks the pool of GPUs of `gpuType` on provider connection `providerId` until the transaction
 * ends (after lockQuotaScope, before lockVm): requests for the same devices are decided one after
 * another, whoever asks. An advisory lock: no row stands for a pool.
 */
export async function lockGpuPool(tx: Tx, providerId: string, gpuType: string): Promise<void> {
  const key = `gpu-pool:${providerId}:${gpuType}`;
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}
