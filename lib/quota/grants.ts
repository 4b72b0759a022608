import type { LimitKey } from "./limits";
import { LIMIT_KEYS } from "./limits";
import type { Denial, PerVmDimension, PlanLimits } from "./rules";
import type { Resources } from "./usage";

/**
 * Time-limited raises of single limits ("Request more", issue 14): the arithmetic, free of
 * server-only imports (the wizard and the resize form use it in the browser too).
 *
 * A grant raises exactly one limit (`limit`, a Plan column name from LIMIT_KEYS) of a user's or
 * a team's quota by `amount`, while `startsAt <= now < endsAt`; afterwards it stops counting by
 * itself (no job has to remove it). Grants of the same limit add up. A limit that is not set
 * (monthly spend without a limit: Infinity) stays unlimited.
 *
 * Per-VM limits are raised for the user on top of the tighter of their plan's and their team's
 * per-VM limits (a per-VM limit is about the user's own VMs); aggregate limits are raised in the
 * scope the grant belongs to (the user's plan, or the team's shared one).
 */
export type Grant = { limit: LimitKey; amount: number; startsAt?: Date; endsAt: Date };

/** Where each limit lives in PlanLimits. */
export const LIMIT_DIMENSION: Record<LimitKey, { part: "perVm"; dimension: PerVmDimension } | { part: "total"; dimension: keyof Resources }> = {
  maxCpuCoresPerVm: { part: "perVm", dimension: "cpuCores" },
  maxMemoryMbPerVm: { part: "perVm", dimension: "memoryMb" },
  maxDiskGbPerVm: { part: "perVm", dimension: "diskGb" },
  maxGpusPerVm: { part: "perVm", dimension: "gpus" },
  maxCpuCoresSum: { part: "total", dimension: "cpuCores" },
  maxMemoryMbSum: { part: "total", dimension: "memoryMb" },
  maxDiskGbSum: { part: "total", dimension: "diskGb" },
  maxGpusSum: { part: "total", dimension: "gpus" },
  maxVms: { part: "total", dimension: "vms" },
  maxMonthlySpend: { part: "total", dimension: "monthlySpend" },
};

export const PER_VM_LIMITS = LIMIT_KEYS.filter((k) => LIMIT_DIMENSION[k].part === "perVm");

/** Limits as people read them: "Memory per VM (MB)". */
export const LIMIT_LABELS: Record<LimitKey, string> = {
  maxCpuCoresPerVm: "CPU cores per VM",
  maxMemoryMbPerVm: "Memory per VM (MB)",
  maxDiskGbPerVm: "Disk per VM (GB)",
  maxGpusPerVm: "GPUs per VM",
  maxCpuCoresSum: "CPU cores in all",
  maxMemoryMbSum: "Memory in all (MB)",
  maxDiskGbSum: "Disk in all (GB)",
  maxGpusSum: "GPUs in all",
  maxVms: "Number of VMs",
  maxMonthlySpend: "Monthly spend",
};

/** Whether a grant counts at `now`: started, not yet ended. */
export function isActive(grant: Pick<Grant, "startsAt" | "endsAt">, now: Date): boolean {
  return (!grant.startsAt || grant.startsAt.getTime() <= now.getTime()) && grant.endsAt.getTime() > now.getTime();
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * `limits` with the grants active at `now` added, in the given part only ("total": the scope's
 * aggregate limits; "perVm": per-VM limits). Never changes its arguments.
 */
export function withGrants(limits: PlanLimits, grants: readonly Grant[], now: Date, part: "perVm" | "total" | "both" = "both"): PlanLimits {
  const perVm = { ...limits.perVm };
  const total = { ...limits.total };
  for (const g of grants) {
    if (!isActive(g, now) || !(g.amount > 0)) continue;
    const where = LIMIT_DIMENSION[g.limit];
    if (part !== "both" && where.part !== part) continue;
    if (where.part === "perVm") perVm[where.dimension] = round2(perVm[where.dimension] + g.amount);
    else total[where.dimension] = Number.isFinite(total[where.dimension]) ? round2(total[where.dimension] + g.amount) : total[where.dimension];
  }
  return { perVm, total };
}

/** The earliest end among the grants active at `now` (null: none): until then, limits read now stay true. */
export function firstEnd(grants: readonly Grant[], now: Date): Date | null {
  let first: Date | null = null;
  for (const g of grants) if (isActive(g, now) && (!first || g.endsAt < first)) first = g.endsAt;
  return first;
}

/** One thing asked for: raise `limit` of the user's quota or of the team's by `amount`. */
export type RequestItem = { scope: "user" | "team"; limit: LimitKey; amount: number };

const PER_VM_KEY: Record<PerVmDimension, LimitKey> = { cpuCores: "maxCpuCoresPerVm", memoryMb: "maxMemoryMbPerVm", diskGb: "maxDiskGbPerVm", gpus: "maxGpusPerVm" };
const TOTAL_KEY: Record<keyof Resources, LimitKey> = {
  cpuCores: "maxCpuCoresSum",
  memoryMb: "maxMemoryMbSum",
  diskGb: "maxDiskGbSum",
  gpus: "maxGpusSum",
  vms: "maxVms",
  monthlySpend: "maxMonthlySpend",
};

/**
 * What to ask for to get past `denials` (lib/quota/rules.ts): exactly each limit that was
 * exceeded, by the amount missing (whole units; money rounded up to cents). A per-VM denial asks
 * for the user's per-VM limit, an aggregate one for the user's plan, a team one for the team's.
 * The same limit denied twice is asked once, for the larger amount.
 */
export function itemsForDenials(denials: readonly Denial[]): RequestItem[] {
  const items = new Map<string, RequestItem>();
  for (const d of denials) {
    const limit = d.limit ?? 0;
    const perVm = d.scope === "per_vm";
    const key = perVm ? PER_VM_KEY[d.dimension as PerVmDimension] : TOTAL_KEY[d.dimension];
    if (!key) continue;
    const missing = perVm ? d.requested - limit : d.used + d.requested - limit;
    const amount = d.dimension === "monthlySpend" ? Math.ceil(missing * 100 - 1e-6) / 100 : Math.ceil(missing - 1e-9);
    if (!(amount > 0)) continue;
    const scope = d.scope === "team" ? "team" : "user";
    const id = `${scope}:${key}`;
    const before = items.get(id);
    items.set(id, { scope, limit: key, amount: Math.max(amount, before?.amount ?? 0) });
  }
  return [...items.values()];
}
