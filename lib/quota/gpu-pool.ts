import type { Tx } from "./context";
import { lockGpuPool } from "../db/locks";
import { AppError } from "../errors";
import type { GpuOffer } from "../providers/types";

/**
 * "Two requests never get the same device": the GPUs of one type on one provider connection that
 * the portal's own VMs hold, counted against the offer's pool. Provider-neutral.
 */

/** VM states that do not hold a device (an interrupted rental gave its GPU back). */
export const NOT_HOLDING = ["failed", "destroyed", "deleted", "interrupted"] as const;

/**
 * GPUs held by the portal's not-deleted VMs: `all`, and `pending` (accepted, still being built,
 * and not yet attached by the provider: the provider's `available` does not know them yet).
 */
export type GpusHeld = { all: number; pending: number };

/**
 * The GPUs of type `gpuType` on connection `providerId` that the portal's VMs hold (`exceptVmId`
 * left out). A VM being created counts as pending until its provider has attached its GPUs
 * (Vm.gpusAttached, set by the create step that attaches them): from then on the provider's free
 * count leaves them out itself, and counting them as pending too would count them twice.
 */
export async function gpusHeld(tx: Tx, providerId: string, gpuType: string, exceptVmId?: string): Promise<GpusHeld> {
  const rows = await tx.vm.groupBy({
    by: ["status", "gpusAttached"],
    where: { providerId, gpuType, deletedAt: null, status: { notIn: [...NOT_HOLDING] }, ...(exceptVmId ? { id: { not: exceptVmId } } : {}) },
    _sum: { gpuCount: true },
  });
  let all = 0;
  let pending = 0;
  for (const r of rows) {
    all += r._sum.gpuCount ?? 0;
    if (r.status === "creating" && !r.gpusAttached) pending += r._sum.gpuCount ?? 0;
  }
  return { all, pending };
}

/** Devices of `offer` free for a new request: what the provider says is free less what the portal promised but has not built, within the pool. Never negative. */
export function freeGpus(offer: Pick<GpuOffer, "total" | "available">, held: GpusHeld): number {
  return Math.max(0, Math.min(offer.available - held.pending, offer.total - held.all));
}

/** The 400 when `count` devices are not free, saying what is; null when they are. */
export function gpuPoolProblem(offer: Pick<GpuOffer, "total" | "available" | "label">, held: GpusHeld, count: number): string | null {
  const free = freeGpus(offer, held);
  if (count <= free) return null;
  return `Not enough ${offer.label} GPUs free: ${count} requested, ${free} free now`;
}

/**
 * Under the pool's lock (inside the reserve transaction, after the quota scope's locks), checks
 * that `count` devices are still free; throws the 400 saying what is free. The VM row inserted
 * afterwards in the same transaction holds them.
 */
export async function claimGpus(tx: Tx, input: { providerId: string; gpuType: string; count: number; offer: Pick<GpuOffer, "total" | "available" | "label"> }): Promise<void> {
  await lockGpuPool(tx, input.providerId, input.gpuType);
  const held = await gpusHeld(tx, input.providerId, input.gpuType);
  const problem = gpuPoolProblem(input.offer, held, input.count);
  if (problem) throw new AppError("bad_request", problem, { data: { gpuType: input.gpuType, free: freeGpus(input.offer, held) } });
}
