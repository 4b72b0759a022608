import { db } from "../db/client";
import { vmMonthlyCost } from "../pricing/cost";
import { Decimal, money } from "../pricing/rental";
import { monthWindow, vmCost } from "../pricing/vm-cost";
import { sizeOf } from "../schemas/size";
import { quotaContext, type QuotaScope } from "./context";
import type { PerVmDimension } from "./rules";
import { remaining } from "./rules";
import type { Resources } from "./usage";

/** Limits with "no limit" as null (JSON has no Infinity). */
export type Limits = { [K in keyof Resources]: number | null };
export type ScopeSummary = { name: string; limits: Limits; used: Resources; reserved: Resources; left: Limits };
export type QuotaSummary = {
  planName: string | null;
  perVm: Record<PerVmDimension, number> | null;
  user: ScopeSummary | null;
  team: ScopeSummary | null;
  /** Monthly cost of the user's running VMs at current prices. */
  runningMonthlyCost: number;
  /** What the user's rated rentals (GPU machines) cost so far this month (UTC), deleted ones included, decimal string rounded to cents. */
  costThisMonth: string;
  currency: string;
};

const finite = (r: Resources): Limits => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number.isFinite(v) ? v : null])) as Limits;

function scope(s: QuotaScope | null): ScopeSummary | null {
  if (!s) return null;
  return { name: s.name, limits: finite(s.limits.total), used: s.usage.used, reserved: s.usage.reserved, left: finite(remaining(s.limits, s.usage.total)) };
}

/** What a user may still use: for the My Quota page, the wizard and the admin's user list. */
export async function quotaSummary(userId: string): Promise<QuotaSummary> {
  const ctx = await quotaContext(db(), userId);
  const month = monthWindow();
  const [running, currency, rated] = await Promise.all([
    db().vm.findMany({ where: { ownerId: userId, deletedAt: null, status: "running" } }),
    db().setting.findUnique({ where: { key: "currency" } }),
    db().vm.findMany({
      where: { ownerId: userId, gpuHourly: { not: null }, OR: [{ deletedAt: null }, { deletedAt: { gte: month.from } }] },
      select: { gpuHourly: true, storageHourly: true, spans: { where: { OR: [{ endedAt: null }, { endedAt: { gt: month.from } }] }, select: { state: true, startedAt: true, endedAt: true } } },
    }),
  ]);
  const costThisMonth = rated.reduce((sum, vm) => sum.plus(vmCost(vm, month)?.total ?? 0), new Decimal(0));
  return {
    planName: ctx.planName,
    perVm: ctx.perVm,
    user: scope(ctx.user),
    team: scope(ctx.team),
    runningMonthlyCost: Math.round(running.reduce((sum, vm) => sum + vmMonthlyCost(vm, sizeOf(vm), ctx.prices), 0) * 100) / 100,
    costThisMonth: money(costThisMonth),
    currency: typeof currency?.value === "string" ? currency.value : "EUR",
  };
}
