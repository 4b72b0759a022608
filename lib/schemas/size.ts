import type { GpuType } from "./catalog";

/**
 * The one size of a VM, from the quota rules to the providers: vCPU cores, memory in MB, disk
 * in GB and GPUs by type (`{"4090": 2}`; `{}` for none). The seed API's field names
 * (`memorySize`, `diskSize`) appear only at the API edge (lib/schemas/vm.ts). Browser-safe.
 */
export type GpuCounts = Partial<Record<GpuType | (string & {}), number>>;
export type Size = { cpuCores: number; memoryMb: number; diskGb: number; gpus: GpuCounts };

export const NO_GPUS: GpuCounts = Object.freeze({});

/** Total number of GPUs of a size, whatever their type. */
export function gpuTotal(size: Pick<Size, "gpus">): number {
  return Object.values(size.gpus).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

/** A VM row's size columns (`gpuCount` GPUs of `gpuType`) as a Size. */
export function sizeOf(row: { cpuCores: number; memoryMb: number; diskGb: number; gpuCount?: number | null; gpuType?: string | null }): Size {
  const count = row.gpuCount ?? 0;
  return { cpuCores: row.cpuCores, memoryMb: row.memoryMb, diskGb: row.diskGb, gpus: count > 0 ? { [row.gpuType ?? ""]: count } : {} };
}

/** A Size as a VM row's columns: one GPU type per VM (the first with a count). */
export function sizeColumns(size: Size): { cpuCores: number; memoryMb: number; diskGb: number; gpuCount: number; gpuType: string | null } {
  const first = Object.entries(size.gpus).find(([, n]) => (n ?? 0) > 0);
  return { cpuCores: size.cpuCores, memoryMb: size.memoryMb, diskGb: size.diskGb, gpuCount: first ? first[1]! : 0, gpuType: first && first[0] !== "" ? first[0] : null };
}

/** `2 vCPU, 2048 MB, 40 GB` (and GPUs when there are any), for log lines and messages. */
export function sizeText(size: Size): string {
  const gpus = Object.entries(size.gpus)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([type, n]) => `${n}× GPU ${type}`);
  return [`${size.cpuCores} vCPU`, `${size.memoryMb} MB`, `${size.diskGb} GB`, ...gpus].join(", ");
}
