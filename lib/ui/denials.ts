import type { Denial } from "../quota/rules";
import { gib } from "./units";

const NAMES: Record<Denial["dimension"], { name: string; unit: string }> = {
  cpuCores: { name: "CPU cores", unit: "vCPU" },
  memoryMb: { name: "Memory", unit: "GiB" },
  diskGb: { name: "Disk", unit: "GB" },
  gpus: { name: "GPUs", unit: "GPUs" },
  vms: { name: "VMs", unit: "VMs" },
  monthlySpend: { name: "Monthly spend", unit: "" },
};

/**
 * A quota denial as the pages write it: the dimension named as on the page ("Memory", not the
 * API's "memory"), memory in GiB. The API keeps the seed's own wording in `data.denials[].message`.
 */
export function describeDenial(d: Denial, currency = ""): string {
  const { name, unit } = NAMES[d.dimension];
  const v = (n: number) => (d.dimension === "memoryMb" ? String(gib(n)) : d.dimension === "monthlySpend" ? n.toFixed(2) : String(n));
  const u = d.dimension === "monthlySpend" ? currency : unit;
  if (d.scope === "per_vm") return `${name}: ${v(d.requested)} ${u} requested, at most ${v(d.limit ?? 0)} ${u} per VM`.replace(/ {2,}/g, " ");
  const left = Math.max(0, (d.limit ?? 0) - d.used);
  const whose = d.scope === "team" ? `${name} (your team's quota)` : name;
  return `${whose}: ${v(d.used)} of ${v(d.limit ?? 0)} ${u} in use, ${v(d.requested)} more requested, ${v(left)} left`.replace(/ {2,}/g, " ");
}
