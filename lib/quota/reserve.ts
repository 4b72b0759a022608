import type { Db } from "../db/client";
import { lockQuotaScope } from "../db/locks";
import { AppError } from "../errors";
import { monthlyCost } from "../pricing/cost";
import { quotaContext, type QuotaContext, type Tx } from "./context";
import { aggregateDenials, perVmDenials, type Denial } from "./rules";
import type { Resources } from "./usage";
import { gpuTotal, sizeOf, type Size } from "../schemas/size";

export const PER_VM_MESSAGE = "Requested resources exceed the per VM limits of your compute resource plan";
export const AGGREGATE_MESSAGE = "Requested resources exceed the available limits of your compute resource plan";
export const PLAN_NOT_FOUND = "Compute resource plan not found";

export function quotaError(message: string, denials: Denial[]): AppError {
  return new AppError("bad_request", message, { data: { denials } });
}

export function requestOf(ctx: QuotaContext, size: Size): Resources {
  return { cpuCores: size.cpuCores, memoryMb: size.memoryMb, diskGb: size.diskGb, gpus: gpuTotal(size), vms: 1, monthlySpend: monthlyCost(size, ctx.prices) };
}

/** The per-VM check (run first, as in the seed). Throws the seed's 404 when there is no plan. */
export function checkPerVm(ctx: QuotaContext, size: Size): void {
  if (!ctx.perVm) throw new AppError("not_found", PLAN_NOT_FOUND);
  const denials = perVmDenials({ perVm: ctx.perVm, total: ctx.user?.limits.total ?? ctx.team!.limits.total }, { cpuCores: size.cpuCores, memoryMb: size.memoryMb, diskGb: size.diskGb, gpus: gpuTotal(size) });
  if (denials.length) throw quotaError(PER_VM_MESSAGE, denials);
}

/** The aggregate check against the user's plan and the team's: whichever is tighter denies. */
export function checkAggregate(ctx: QuotaContext, size: Size): void {
  const request = requestOf(ctx, size);
  const denials = [
    ...(ctx.user ? aggregateDenials(ctx.user.limits, ctx.user.usage.total, request) : []),
    ...(ctx.team ? aggregateDenials(ctx.team.limits, ctx.team.usage.total, request, ctx.team.name) : []),
  ];
  if (denials.length) throw quotaError(AGGREGATE_MESSAGE, denials);
}

/**
 * Checks the aggregate limits and reserves by inserting the VM row, inside the caller's
 * transaction. The team's row and then the owner's row are locked first (always in that
 * order: lib/db/locks.ts), so concurrent requests that share a quota are decided one after
 * another and can never overshoot together. Usage is read after the lock, so it includes every request
 * reserved before this one.
 */
export async function reserveVm(tx: Tx, input: { userId: string; data: Omit<Db.Prisma.VmUncheckedCreateInput, "ownerId"> }): Promise<Db.Vm> {
  await lockQuotaScope(tx, input.userId);
  const ctx = await quotaContext(tx, input.userId);
  checkAggregate(ctx, sizeOf(input.data));
  return tx.vm.create({ data: { ...input.data, ownerId: input.userId } });
}
