import type { Resources } from "./usage";

/**
 * The quota rules as pure functions. Per-VM limits are checked before aggregate ones, as in
 * the seed API. A denial names the dimension, the limit, what is used and what was asked.
 */
export type PlanLimits = {
  perVm: Omit<Resources, "vms">;
  total: Resources;
};

export type Dimension = keyof Resources;
export type Denial = {
  scope: "per_vm" | "aggregate";
  dimension: Dimension;
  limit: number;
  used: number;
  requested: number;
  message: string;
};

const labels: Record<Dimension, { name: string; unit: string }> = {
  cpuCores: { name: "vCPU cores", unit: "cores" },
  memoryMb: { name: "memory", unit: "MB" },
  diskGb: { name: "disk", unit: "GB" },
  vms: { name: "VMs", unit: "VMs" },
};

export function perVmDenials(limits: PlanLimits, request: Omit<Resources, "vms">): Denial[] {
  return (Object.keys(limits.perVm) as (keyof PlanLimits["perVm"])[])
    .filter((d) => request[d] > limits.perVm[d])
    .map((d) => ({
      scope: "per_vm",
      dimension: d,
      limit: limits.perVm[d],
      used: 0,
      requested: request[d],
      message: `${labels[d].name}: ${request[d]} ${labels[d].unit} requested, at most ${limits.perVm[d]} per VM`,
    }));
}

export function aggregateDenials(limits: PlanLimits, used: Resources, request: Resources): Denial[] {
  return (Object.keys(limits.total) as Dimension[])
    .filter((d) => request[d] > 0 && used[d] + request[d] > limits.total[d])
    .map((d) => ({
      scope: "aggregate",
      dimension: d,
      limit: limits.total[d],
      used: used[d],
      requested: request[d],
      message: `${labels[d].name}: ${used[d]} of ${limits.total[d]} ${labels[d].unit} in use, ${request[d]} more requested, ${Math.max(0, limits.total[d] - used[d])} left`,
    }));
}

export function planLimits(plan: {
  maxCpuCoresPerVm: number;
  maxMemoryMbPerVm: number;
  maxDiskGbPerVm: number;
  maxCpuCoresSum: number;
  maxMemoryMbSum: number;
  maxDiskGbSum: number;
  maxVms: number;
}): PlanLimits {
  return {
    perVm: { cpuCores: plan.maxCpuCoresPerVm, memoryMb: plan.maxMemoryMbPerVm, diskGb: plan.maxDiskGbPerVm },
    total: { cpuCores: plan.maxCpuCoresSum, memoryMb: plan.maxMemoryMbSum, diskGb: plan.maxDiskGbSum, vms: plan.maxVms },
  };
}

/** What is left in each aggregate dimension (never negative). */
export function remaining(limits: PlanLimits, used: Resources): Resources {
  return {
    cpuCores: Math.max(0, limits.total.cpuCores - used.cpuCores),
    memoryMb: Math.max(0, limits.total.memoryMb - used.memoryMb),
    diskGb: Math.max(0, limits.total.diskGb - used.diskGb),
    vms: Math.max(0, limits.total.vms - used.vms),
  };
}
