import type { Size } from "../schemas/size";

/**
 * Prices are per vCPU-hour, per GB RAM-hour, per GB disk-month and per GPU-hour (by GPU type).
 * A month is 730 hours. Costs are in the portal's currency, rounded to cents.
 */
export const HOURS_PER_MONTH = 730;

export type PriceTable = { vcpuHour: number; memoryGbHour: number; diskGbMonth: number; gpuHour: Record<string, number> };
export const NO_PRICES: PriceTable = { vcpuHour: 0, memoryGbHour: 0, diskGbMonth: 0, gpuHour: {} };

/** The monthly cost of a VM of `size` (GPUs priced by their type). */
export function monthlyCost(size: Size, prices: PriceTable): number {
  const gpuHourly = Object.entries(size.gpus).reduce((sum, [type, n]) => sum + (n ?? 0) * (prices.gpuHour[type] ?? 0), 0);
  const hourly = size.cpuCores * prices.vcpuHour + (size.memoryMb / 1024) * prices.memoryGbHour + gpuHourly;
  return Math.round((hourly * HOURS_PER_MONTH + size.diskGb * prices.diskGbMonth) * 100) / 100;
}

/**
 * What a recorded VM costs a month: for a rental with rates (a GPU machine priced by its
 * provider when it was accepted: Nova's offer, a VergeOS or PVE GPU order), GPU and storage per
 * hour × 730 at those rates; for any other VM, `monthlyCost` of its size at today's price table.
 * The rates are decimal strings (Prisma Decimal); the result is rounded to cents.
 */
export function vmMonthlyCost(vm: { gpuHourly: { toString(): string } | null; storageHourly: { toString(): string } | null }, size: Size, prices: PriceTable): number {
  if (vm.gpuHourly === null) return monthlyCost(size, prices);
  const hourly = Number(vm.gpuHourly.toString()) + Number((vm.storageHourly ?? 0).toString());
  return Math.round(hourly * HOURS_PER_MONTH * 100) / 100;
}

export function priceTableFrom(rows: { resource: string; gpuType: string; amount: { toString(): string } | number }[]): PriceTable {
  const table: PriceTable = { vcpuHour: 0, memoryGbHour: 0, diskGbMonth: 0, gpuHour: {} };
  for (const row of rows) {
    const amount = Number(row.amount);
    if (row.resource === "vcpu_hour") table.vcpuHour = amount;
    else if (row.resource === "memory_gb_hour") table.memoryGbHour = amount;
    else if (row.resource === "disk_gb_month") table.diskGbMonth = amount;
    else if (row.resource === "gpu_hour") table.gpuHour[row.gpuType] = amount;
  }
  return table;
}
