import type { Db } from "../db/client";
import { lockQuotaScope } from "../db/locks";
import { AppError } from "../errors";
import { monthlyCost } from "../pricing/cost";
import { quotaContext, withFreshUsage, type QuotaContext, type Tx } from "./context";
import { aggregateDenials, perVmDenials, type Denial } from "./rules";
import type { Resources } from "./usage";
import { claimGpus } from "./gpu-pool";
import type { GpuOffer } from "../providers/types";
import { gpuTotal, sizeOf, type Size } from "../schemas/size";

export const PER_VM_MESSAGE = "Requested resources exceed the per VM limits of your compute resource plan";
export const AGGREGATE_MESSAGE = "Requested resources exceed the available limits of your compute resource plan";
export const PLAN_NOT_FOUND = "Compute resource plan not found";

export function quotaError(message: string, denials: Denial[]): AppError {
  return new AppError("bad_request", message, { data: { denials } });
}

/** What a new VM of `size` adds; `spend`: its committed cost when priced (a GPU rental), else the price table's monthly cost. */
export function requestOf(ctx: QuotaContext, size: Size, spend?: number): Resources {
  return { cpuCores: size.cpuCores, memoryMb: size.memoryMb, diskGb: size.diskGb, gpus: gpuTotal(size), vms: 1, monthlySpend: spend ?? monthlyCost(size, ctx.prices) };
}

/** The per-VM check (run first, as in the seed). Throws the seed's 404 when there is no plan. */
export function checkPerVm(ctx: QuotaContext, size: Size): void {
  if (!ctx.perVm) throw new AppError("not_found", PLAN_NOT_FOUND);
  const denials = perVmDenials({ perVm: ctx.perVm, total: ctx.user?.limits.total ?? ctx.team!.limits.total }, { cpuCores: size.cpuCores, memoryMb: size.memoryMb, diskGb: size.diskGb, gpus: gpuTotal(size) });
  if (denials.length) throw quotaError(PER_VM_MESSAGE, denials);
}

/** The aggregate check against the user's plan and the team's: whichever is tighter denies. */
export function checkAggregate(ctx: QuotaContext, size: Size, spend?: number): void {
  const request = requestOf(ctx, size, spend);
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
 * another and can never overshoot together. With `gpus`, the pool of the offer's GPU type on the
 * VM's provider is locked next and must still have the devices free (lib/quota/gpu-pool.ts). Usage is read after the lock, so it includes every request
 * reserved before this one.
 */
export async function reserveVm(
  tx: Tx,
  input: {
    userId: string;
    data: Omit<Db.Prisma.VmUncheckedCreateInput, "ownerId">;
    gpus?: { count: number; offer: Pick<GpuOffer, "gpuType" | "total" | "available" | "label"> };
    /** The user's quota context read earlier in this request: then only its usage is read again under the lock. */
    context?: QuotaContext;
  },
): Promise<Db.Vm> {
  const { teamId } = await lockQuotaScope(tx, input.userId);
  // Usage is always read under the lock; the limits may come from the request's earlier read,
  // unless the user's team changed meanwhile or a grant those limits include has ended.
  // A grant that ended since the earlier read no longer counts: then the limits are read again.
  const known = input.context;
  const reusable = known && (known.team?.id ?? null) === teamId && (!known.grantsUntil || known.grantsUntil.getTime() > Date.now());
  const ctx = reusable ? await withFreshUsage(tx, known, input.userId) : await quotaContext(tx, input.userId);
  const committed = input.data.committedCost;
  checkAggregate(ctx, sizeOf(input.data), committed === null || committed === undefined ? undefined : Number(committed));
  // Then the GPU pool (lock order: lib/db/locks.ts), so two requests never get the same device.
  if (input.gpus) await claimGpus(tx, { providerId: input.data.providerId, gpuType: input.gpus.offer.gpuType, count: input.gpus.count, offer: input.gpus.offer });
  return tx.vm.create({ data: { ...input.data, ownerId: input.userId } });
}
