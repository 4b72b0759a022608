import type { PerVmDimension } from "../quota/rules";
import { formatMemory } from "../ui/units";

type SizeDim = Extract<PerVmDimension, "cpuCores" | "memoryMb" | "diskGb">;
type Sized = Record<SizeDim, number>;

const WORDS: Record<SizeDim, { label: string; show: (n: number) => string }> = {
  cpuCores: { label: "CPU cores", show: (n) => `${n} vCPU` },
  memoryMb: { label: "Memory", show: (n) => formatMemory(n) },
  diskGb: { label: "Disk", show: (n) => `${n} GB` },
};

/**
 * Why the wizard's size cannot be ordered at all, whatever the quota left (then it shows no price,
 * "—" with this reason), or null: a value that is not a whole number above 0, one below the
 * template's floor, or one over the plan's per-VM limit, checked in that order, the first found.
 * `request`: memory in MB, disk in GB (the API's units).
 */
export function unorderableSize(request: Sized, min: Sized, perVm: Sized, templateName: string): string | null {
  const dims = Object.keys(WORDS) as SizeDim[];
  const invalid = dims.find((d) => !Number.isInteger(request[d]) || request[d] <= 0);
  if (invalid) return `${WORDS[invalid].label} is not a valid size`;
  const below = dims.find((d) => request[d] < min[d]);
  if (below) return `${WORDS[below].label} is below ${templateName}'s minimum of ${WORDS[below].show(min[below])}`;
  const over = dims.find((d) => request[d] > perVm[d]);
  if (over) return `${WORDS[over].label} is over your plan's ${WORDS[over].show(perVm[over])} per VM`;
  return null;
}

/** The SSH keys problem of a choice, for the Access step: none chosen, or more than the provider kind installs. */
export function sshKeyChoiceProblem(chosen: number, maxSshKeys: number, kindLabel: string): string | null {
  if (chosen === 0) return "Choose at least one key";
  if (chosen > maxSshKeys) return `${kindLabel} installs at most ${maxSshKeys} SSH key${maxSshKeys === 1 ? "" : "s"} per VM: choose ${maxSshKeys === 1 ? "one" : `up to ${maxSshKeys}`}`;
  return null;
}
