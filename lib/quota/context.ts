import type { Db, PrismaClient } from "../db/client";
import { monthlyCost, priceTableFrom, type PriceTable } from "../pricing/cost";
import { sizeOf } from "../schemas/size";
import { monthWindow, vmCost } from "../pricing/vm-cost";
import { firstEnd, withGrants, type Grant } from "./grants";
import { limitsOf, tighter, type LimitKey } from "./limits";
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
 * monthly spend is its size at the price table's prices, or for a rated rental (lib/vms/gpu-offer.ts)
 * the larger of what it committed to when accepted (a month at its rates, or a reservation's
 * whole term) and what it has accrued this month (lib/pricing/vm-cost.ts); what rated VMs deleted
 * this month accrued still counts. Unrated VMs are counted in one grouped query per size and
 * status (a handful of groups however many VMs there are); rated ones (GPU rentals, few) one by one.
 */
export async function usageWhere(tx: Tx, where: Db.Prisma.VmWhereInput, prices: PriceTable, now: Date = new Date()): Promise<Usage> {
  const month = monthWindow(undefined, now);
  const groups = await tx.vm.groupBy({
    by: ["cpuCores", "memoryMb", "diskGb", "gpuCount", "gpuType", "status"],
    where: { ...where, deletedAt: null, gpuHourly: null },
    _count: { _all: true },
  });
  const rated = await tx.vm.findMany({
    where: { ...where, gpuHourly: { not: null }, OR: [{ deletedAt: null }, { deletedAt: { gte: month.from } }] },
    select: {
      cpuCores: true,
      memoryMb: true,
      diskGb: true,
      gpuCount: true,
      status: true,
      committedCost: true,
      gpuHourly: true,
      storageHourly: true,
      deletedAt: true,
      spans: { where: { OR: [{ endedAt: null }, { endedAt: { gt: month.from } }] }, select: { state: true, startedAt: true, endedAt: true } },
    },
  });
  let used = ZERO;
  let reserved = ZERO;
  for (const group of groups) {
    const n = group._count._all;
    // Each VM's cost is rounded to cents on its own (as the VM's page shows it), then summed.
    const each = monthlyCost(sizeOf(group), prices);
    const r: Resources = {
      cpuCores: group.cpuCores * n,
      memoryMb: group.memoryMb * n,
      diskGb: group.diskGb * n,
      gpus: group.gpuCount * n,
      vms: n,
      monthlySpend: Math.round(each * 100 * n) / 100,
    };
    if (group.status === "creating") reserved = add(reserved, r);
    else used = add(used, r);
  }
  for (const vm of rated) {
    const accrued = Number(vmCost(vm, month, now)!.total.toDecimalPlaces(2));
    if (vm.deletedAt) {
      used = add(used, { ...ZERO, monthlySpend: accrued });
      continue;
    }
    const spend = Math.max(vm.committedCost !== null ? Number(vm.committedCost) : 0, accrued);
    const r: Resources = { cpuCores: vm.cpuCores, memoryMb: vm.memoryMb, diskGb: vm.diskGb, gpus: vm.gpuCount, vms: 1, monthlySpend: spend };
    if (vm.status === "creating") reserved = add(reserved, r);
    else used = add(used, r);
  }
  return { used, reserved, total: add(used, reserved) };
}

export type QuotaScope = { name: string; limits: PlanLimits; usage: Usage };
export type QuotaContext = {
  /** The user's team, whether or not it has a plan (template grants to teams need it). */
  teamId: string | null;
  planName: string | null;
  /** The tighter per-VM limits of the user's and the team's plans. */
  perVm: PlanLimits["perVm"] | null;
  user: QuotaScope | null;
  team: (QuotaScope & { id: string }) | null;
  plan: Pick<Db.Plan, "allowedProviderIds" | "allowedRentalTypes" | "allowedGpuTypes"> | null;
  prices: PriceTable;
  /**
   * The earliest end of the time-limited grants (lib/quota/grants.ts) these limits include, null
   * when none: limits read before that moment may be reused under the quota lock (reserveVm).
   */
  grantsUntil: Date | null;
};

type GrantRow = { limit: string; amount: { toString(): string } | number; startsAt: Date; endsAt: Date };
const toGrant = (g: GrantRow): Grant => ({ limit: g.limit as LimitKey, amount: Number(g.amount.toString()), startsAt: g.startsAt, endsAt: g.endsAt });

/**
 * Everything a quota decision needs for one user: their plan with their overrides, their team's
 * plan (whose aggregate is shared by all members), and current usage of both. Null scopes mean
 * no plan there; with neither, the user has no compute plan. Grants active at `now` (approved
 * "Request more" requests, lib/quota/grants.ts) raise the user's aggregate limits, the team's,
 * and the user's per-VM limits (on top of the tighter of the two plans').
 */
export async function quotaContext(tx: Tx, userId: string, now: Date = new Date()): Promise<QuotaContext> {
  const active = { startsAt: { lte: now }, endsAt: { gt: now } };
  // Independent reads go out together (inside a transaction its client takes them in turn).
  const [user, prices] = await Promise.all([
    tx.user.findUniqueOrThrow({
      where: { id: userId },
      include: { plan: true, quotaGrants: { where: active }, team: { include: { plan: true, quotaGrants: { where: active } } } },
    }),
    loadPrices(tx),
  ]);
  const userGrants = user.quotaGrants.map(toGrant);
  const teamGrants = (user.team?.quotaGrants ?? []).map(toGrant);
  const userLimits = user.plan ? withGrants(limitsOf(user.plan, user.quotaOverrides), userGrants, now, "total") : null;
  const teamPlan = user.team?.plan ?? null;
  const teamLimits = teamPlan ? withGrants(limitsOf(teamPlan), teamGrants, now, "total") : null;
  const [userUsage, teamUsage] = await Promise.all([
    userLimits ? usageWhere(tx, { ownerId: userId }, prices) : null,
    user.team && teamLimits ? usageWhere(tx, { owner: { teamId: user.team.id } }, prices) : null,
  ]);
  const userScope = userLimits && userUsage ? { name: user.plan!.name, limits: userLimits, usage: userUsage } : null;
  const teamScope = user.team && teamLimits && teamUsage ? { id: user.team.id, name: user.team.name, limits: teamLimits, usage: teamUsage } : null;
  const planPerVm = userLimits && teamLimits ? tighter(userLimits, teamLimits).perVm : (userLimits ?? teamLimits)?.perVm ?? null;
  const perVm = planPerVm ? withGrants({ perVm: planPerVm, total: userLimits?.total ?? teamLimits!.total }, userGrants, now, "perVm").perVm : null;
  const plan = user.plan ?? teamPlan;
  return {
    teamId: user.teamId,
    planName: user.plan?.name ?? teamPlan?.name ?? null,
    perVm,
    user: userScope,
    team: teamScope,
    plan: plan ? { allowedProviderIds: plan.allowedProviderIds, allowedRentalTypes: plan.allowedRentalTypes, allowedGpuTypes: plan.allowedGpuTypes } : null,
    prices,
    grantsUntil: firstEnd([...userGrants, ...teamGrants], now),
  };
}

/**
 * `ctx` with its usage read again, its limits, plan and prices kept as they were read a moment
 * before: what a reservation needs once it holds the quota lock (one or two queries instead of
 * six). `ctx` must be of `userId`, read in this request.
 */
export async function withFreshUsage(tx: Tx, ctx: QuotaContext, userId: string): Promise<QuotaContext> {
  const [userUsage, teamUsage] = await Promise.all([
    ctx.user ? usageWhere(tx, { ownerId: userId }, ctx.prices) : null,
    ctx.team ? usageWhere(tx, { owner: { teamId: ctx.team.id } }, ctx.prices) : null,
  ]);
  return { ...ctx, user: ctx.user && userUsage ? { ...ctx.user, usage: userUsage } : null, team: ctx.team && teamUsage ? { ...ctx.team, usage: teamUsage } : null };
}

