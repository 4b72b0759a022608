import type { Db, PrismaClient } from "../db/client";
import { AppError } from "../errors";
import { aggregateDenials, type Denial, planLimits } from "./rules";
import type { Resources } from "./usage";

type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export const PER_VM_MESSAGE = "Requested resources exceed the per VM limits of your compute resource plan";
export const AGGREGATE_MESSAGE = "Requested resources exceed the available limits of your compute resource plan";

export function quotaError(message: string, denials: Denial[]): AppError {
  return new AppError("bad_request", message, { data: { denials } });
}

/** Usage from the VMs that exist, including those still being created (their reservation). */
export async function usageIn(tx: Tx, userId: string): Promise<Resources> {
  const agg = await tx.vm.aggregate({
    where: { ownerId: userId, deletedAt: null },
    _sum: { cpuCores: true, memoryMb: true, diskGb: true },
    _count: { _all: true },
  });
  return { cpuCores: agg._sum.cpuCores ?? 0, memoryMb: agg._sum.memoryMb ?? 0, diskGb: agg._sum.diskGb ?? 0, vms: agg._count._all };
}

/**
 * Checks the aggregate limits and reserves by inserting the VM row, inside the caller's
 * transaction. The owner's row is locked first, so concurrent requests of one user are
 * checked one after another and cannot overshoot together.
 */
export async function reserveVm(tx: Tx, input: { userId: string; plan: Db.Plan; data: Omit<Db.Prisma.VmUncheckedCreateInput, "ownerId"> }): Promise<Db.Vm> {
  await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${input.userId} FOR UPDATE`;
  const used = await usageIn(tx, input.userId);
  const request = { cpuCores: input.data.cpuCores, memoryMb: input.data.memoryMb, diskGb: input.data.diskGb, vms: 1 };
  const denials = aggregateDenials(planLimits(input.plan), used, request);
  if (denials.length) throw quotaError(AGGREGATE_MESSAGE, denials);
  return tx.vm.create({ data: { ...input.data, ownerId: input.userId } });
}
