/** Quantities a VM consumes, and a user's or team's totals of them. */
export type Resources = { cpuCores: number; memoryMb: number; diskGb: number; gpus: number; vms: number; monthlySpend: number };

export const ZERO: Resources = { cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: 0, vms: 0, monthlySpend: 0 };

export function add(a: Resources, b: Resources): Resources {
  return {
    cpuCores: a.cpuCores + b.cpuCores,
    memoryMb: a.memoryMb + b.memoryMb,
    diskGb: a.diskGb + b.diskGb,
    gpus: a.gpus + b.gpus,
    vms: a.vms + b.vms,
    monthlySpend: Math.round((a.monthlySpend + b.monthlySpend) * 100) / 100,
  };
}
