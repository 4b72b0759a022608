import { db } from "../db/client";

export type Resources = { cpuCores: number; memoryMb: number; diskGb: number; vms: number };

export const ZERO: Resources = { cpuCores: 0, memoryMb: 0, diskGb: 0, vms: 0 };

/** What a user's existing (not deleted) VMs use. Derived every time: there is no counter to drift. */
export async function usageOf(userId: string): Promise<Resources> {
  const agg = await db().vm.aggregate({
    where: { ownerId: userId, deletedAt: null },
    _sum: { cpuCores: true, memoryMb: true, diskGb: true },
    _count: { _all: true },
  });
  return {
    cpuCores: agg._sum.cpuCores ?? 0,
    memoryMb: agg._sum.memoryMb ?? 0,
    diskGb: agg._sum.diskGb ?? 0,
    vms: agg._count._all,
  };
}
