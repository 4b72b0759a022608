import { z } from "zod";
import type { PlanLimits } from "./rules";

/** The Plan columns a per-user override may replace. */
export const LIMIT_KEYS = [
  "maxCpuCoresPerVm",
  "maxMemoryMbPerVm",
  "maxDiskGbPerVm",
  "maxGpusPerVm",
  "maxCpuCoresSum",
  "maxMemoryMbSum",
  "maxDiskGbSum",
  "maxGpusSum",
  "maxVms",
  "maxMonthlySpend",
] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

export const quotaOverridesSchema = z
  .object(Object.fromEntries(LIMIT_KEYS.map((k) => [k, z.number().min(0).optional()])) as Record<LimitKey, z.ZodOptional<z.ZodNumber>>)
  .strict();
export type QuotaOverrides = z.infer<typeof quotaOverridesSchema>;

type PlanRow = {
  maxCpuCoresPerVm: number;
  maxMemoryMbPerVm: number;
  maxDiskGbPerVm: number;
  maxGpusPerVm: number;
  maxCpuCoresSum: number;
  maxMemoryMbSum: number;
  maxDiskGbSum: number;
  maxGpusSum: number;
  maxVms: number;
  maxMonthlySpend: { toString(): string } | number | null;
};

/** A plan's limits, with a user's overrides of single limits applied (invalid overrides are ignored). */
export function limitsOf(plan: PlanRow, overridesJson: unknown = {}): PlanLimits {
  const parsed = quotaOverridesSchema.safeParse(overridesJson ?? {});
  const o: QuotaOverrides = parsed.success ? parsed.data : {};
  const spend = o.maxMonthlySpend ?? (plan.maxMonthlySpend === null ? null : Number(plan.maxMonthlySpend));
  return {
    perVm: {
      cpuCores: o.maxCpuCoresPerVm ?? plan.maxCpuCoresPerVm,
      memoryMb: o.maxMemoryMbPerVm ?? plan.maxMemoryMbPerVm,
      diskGb: o.maxDiskGbPerVm ?? plan.maxDiskGbPerVm,
      gpus: o.maxGpusPerVm ?? plan.maxGpusPerVm,
    },
    total: {
      cpuCores: o.maxCpuCoresSum ?? plan.maxCpuCoresSum,
      memoryMb: o.maxMemoryMbSum ?? plan.maxMemoryMbSum,
      diskGb: o.maxDiskGbSum ?? plan.maxDiskGbSum,
      gpus: o.maxGpusSum ?? plan.maxGpusSum,
      vms: o.maxVms ?? plan.maxVms,
      monthlySpend: spend ?? Infinity,
    },
  };
}

/** The tighter of two limit sets, dimension by dimension (a user's plan and their team's). */
export function tighter(a: PlanLimits, b: PlanLimits): PlanLimits {
  const min = <T extends Record<string, number>>(x: T, y: T) => Object.fromEntries(Object.keys(x).map((k) => [k, Math.min(x[k]!, y[k]!)])) as T;
  return { perVm: min(a.perVm, b.perVm), total: min(a.total, b.total) };
}
