/**
 * Sizes as the portal shows them: memory in GiB (the API and the database keep MB, as the seed
 * says: 1 GiB = 1024 MB), disks in GB (the API's unit), cores as "vCPU".
 */

/** 2048 → "2 GiB", 1536 → "1.5 GiB", 1000 → "0.98 GiB" (at most two decimals, no trailing zeros). */
export function formatMemory(mb: number): string {
  return `${gib(mb)} GiB`;
}

/** MB as a GiB number for inputs and sums: 1536 → 1.5 (rounded to two decimals). */
export function gib(mb: number): number {
  return Math.round((mb / 1024) * 100) / 100;
}

/** GiB typed by a person → whole MB for the API (1.5 → 1536); NaN stays NaN. */
export function mbFromGib(value: number): number {
  return Math.round(value * 1024);
}

/** "2 vCPU · 4 GiB · 40 GB" */
export function formatSize(size: { cpuCores: number; memoryMb: number; diskGb: number }): string {
  return `${size.cpuCores} vCPU · ${formatMemory(size.memoryMb)} · ${size.diskGb} GB`;
}

/** A quota dimension's value as shown: memory (kept in MB) in GiB, everything else as it is. */
export function shownQuantity(key: string, value: number): number;
export function shownQuantity(key: string, value: number | null): number | null;
export function shownQuantity(key: string, value: number | null): number | null {
  return value !== null && key === "memoryMb" ? gib(value) : value;
}
