import type { Db, PrismaClient } from "../db/client";
import { monthlyCost, priceTableFrom, type PriceTable } from "../pricing/cost";
import { sizeOf } from "../schemas/size";
import { limitsOf, tighter } from "./limits";
import type { PlanLimits } from "./rules";
import { add, ZERO, type Resources } from "./usage";

export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export async function loadPrices(tx: Tx): Promise<PriceTable> {
  return priceTableFrom(await tx.price.findMany());
}

export type Usage = { used: Resources; reserved: Resources; total: Resources };

/**
 * Usage of the VMs matching `where` that exist: `used` by VMs that are made, `reserved` by
 * requests still being created. Derived every time from the VM rows: no counter to drift. A VM's
 * monthly spend is its committed cost when it was priced as a rental (a month at its rates, or a
 * reservation's whole term), else its size at the price table's prices.
 */
export async function usageWhere(tx: Tx, where: Db.Prisma.VmWhereInput, prices: PriceTable): Promise<Usage> {
  const vms = await tx.vm.findMany({
    where: { ...where, deletedAt: null },
    select: { cpuCores: true, memoryMb: true, diskGb: true, gpuCount: true, gpuType: true, status: true, committedCost: true },
  });
  let used = ZERO;
  let reserved = ZERO;
  for (const vm of vms) {
    const r: Resources = { cpuCores: vm.cpuCores, memoryMb: vm.memoryMb, diskGb: vm.diskGb, gpus: vm.gpuCount, vms: 1, monthlySpend: vm.committedCost !== null ? Number(vm.committedCost) : monthlyCost(sizeOf(vm), prices) };
    if (vm.status === "creating") reserved = add(reserved, r);
    else used = add(used, r);
  }
  return { used, reserved, total: add(used, reserved) };
}

export type QuotaScope = { name: string; limits: PlanLimits; usage: Usage };
export type QuotaContext = {
  planName: string | null;
  /** The tighter per-VM limits of the user's and the team's plans. */
  perVm: PlanLimits["perVm"] | null;
  user: QuotaScope | null;
  team: (QuotaScope & { id: string }) | null;
  plan: Pick<Db.Plan, "allowedProviderIds" | "allowedRentalTypes" | "allowedGpuTypes"> | null;
  prices: PriceTable;
};

/**
 * Everything a quota decision needs for one user: their plan with their overrides, their team's
 * plan (whose aggregate is shared by all members), and current usage of both. Null scopes mean
 * no plan there; with neither, the user has no compute plan.
 */
export async function quotaContext(tx: Tx, userId: string): Promise<QuotaContext> {
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, include: { plan: true, team: { include: { plan: true } } } });
  const prices = await loadPrices(tx);
  const userLimits = user.plan ? limitsOf(user.plan, user.quotaOverrides) : null;
  const teamPlan = user.team?.plan ?? null;
  const teamLimits = teamPlan ? limitsOf(teamPlan) : null;
  const userScope = userLimits ? { name: user.plan!.name, limits: userLimits, usage: await usageWhere(tx, { ownerId: userId }, prices) } : null;
  const teamScope =
    user.team && teamLimits ? { id: user.team.id, name: user.team.name, limits: teamLimits, usage: await usageWhere(tx, { owner: { teamId: user.team.id } }, prices) } : null;
  const perVm = userLimits && teamLimits ? tighter(userLimits, teamLimits).perVm : (userLimits ?? teamLimits)?.perVm ?? null;
  const plan = user.plan ?? teamPlan;
  return {
    planName: user.plan?.name ?? teamPlan?.name ?? null,
    perVm,
    user: userScope,
    team: teamScope,
    plan: plan ? { allowedProviderIds: plan.allowedProviderIds, allowedRentalTypes: plan.allowedRentalTypes, allowedGpuTypes: plan.allowedGpuTypes } : null,
    prices,
  };
}
