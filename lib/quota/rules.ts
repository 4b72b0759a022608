import type { Resources } from "./usage";

/**
 * The quota rules as pure functions (shared by the server and the wizard in the browser).
 * Per-VM limits are checked before aggregate ones, as in the seed API. A denial names the
 * dimension, the limit, what is used (and reserved by requests in flight) and what was asked.
 */
export type PerVmDimension = "cpuCores" | "memoryMb" | "diskGb" | "gpus";
export type Dimension = keyof Resources;

export type PlanLimits = {
  perVm: Record<PerVmDimension, number>;
  /** `monthlySpend` may be Infinity: no limit. */
  total: Resources;
};

export type Denial = {
  scope: "per_vm" | "aggregate" | "team";
  dimension: Dimension;
  limit: number | null;
  used: number;
  requested: number;
  message: string;
};

const labels: Record<Dimension, { name: string; unit: string }> = {
  cpuCores: { name: "vCPU cores", unit: "cores" },
  memoryMb: { name: "memory", unit: "MB" },
  diskGb: { name: "disk", unit: "GB" },
  gpus: { name: "GPUs", unit: "GPUs" },
  vms: { name: "VMs", unit: "VMs" },
  monthlySpend: { name: "monthly spend", unit: "" },
};

export const PER_VM_DIMENSIONS: PerVmDimension[] = ["cpuCores", "memoryMb", "diskGb", "gpus"];
export const DIMENSIONS: Dimension[] = ["cpuCores", "memoryMb", "diskGb", "gpus", "vms", "monthlySpend"];

const fmt = (d: Dimension, n: number) => (d === "monthlySpend" ? n.toFixed(2) : String(n));

export function perVmDenials(limits: PlanLimits, request: Pick<Resources, PerVmDimension>): Denial[] {
  return PER_VM_DIMENSIONS.filter((d) => request[d] > limits.perVm[d]).map((d) => ({
    scope: "per_vm",
    dimension: d,
    limit: limits.perVm[d],
    used: 0,
    requested: request[d],
    message: `${labels[d].name}: ${request[d]} ${labels[d].unit} requested, at most ${limits.perVm[d]} per VM`,
  }));
}

/** `used` includes what requests in flight have reserved. `team` names the team whose quota this is. */
export function aggregateDenials(limits: PlanLimits, used: Resources, request: Resources, team?: string): Denial[] {
  return DIMENSIONS.filter((d) => request[d] > 0 && used[d] + request[d] > limits.total[d] + 1e-9).map((d) => {
    const limit = limits.total[d];
    const left = Math.max(0, limit - used[d]);
    const whose = team ? `team ${team}: ` : "";
    return {
      scope: team ? "team" : "aggregate",
      dimension: d,
      limit,
      used: used[d],
      requested: request[d],
      message: `${whose}${labels[d].name}: ${fmt(d, used[d])} of ${fmt(d, limit)} ${labels[d].unit} in use, ${fmt(d, request[d])} more requested, ${fmt(d, left)} left`.replace(/ {2,}/g, " "),
    };
  });
}

/** What is left in each aggregate dimension (never negative; Infinity where there is no limit). */
export function remaining(limits: PlanLimits, used: Resources): Resources {
  const left = (d: Dimension) => Math.max(0, limits.total[d] - used[d]);
  return { cpuCores: left("cpuCores"), memoryMb: left("memoryMb"), diskGb: left("diskGb"), gpus: left("gpus"), vms: left("vms"), monthlySpend: left("monthlySpend") };
}

/**
 * A change to an existing VM is checked on its increases only: growing needs room, shrinking
 * or staying the same never does, even when the plan was lowered below current use.
 */
export function changeDenials(
  limits: PlanLimits,
  used: Resources,
  current: Pick<Resources, PerVmDimension>,
  wanted: Pick<Resources, PerVmDimension>,
  extraMonthlySpend = 0,
  /** The team whose shared quota this is (its denials name it, as aggregateDenials does). */
  team?: string,
): Denial[] {
  const grown = PER_VM_DIMENSIONS.filter((d) => wanted[d] > current[d]);
  const perVm = perVmDenials(limits, { cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: 0, ...Object.fromEntries(grown.map((d) => [d, wanted[d]])) });
  if (perVm.length) return perVm;
  const delta: Resources = {
    cpuCores: Math.max(0, wanted.cpuCores - current.cpuCores),
    memoryMb: Math.max(0, wanted.memoryMb - current.memoryMb),
    diskGb: Math.max(0, wanted.diskGb - current.diskGb),
    gpus: Math.max(0, wanted.gpus - current.gpus),
    vms: 0,
    monthlySpend: Math.max(0, extraMonthlySpend),
  };
  return aggregateDenials(limits, used, delta, team);
}
