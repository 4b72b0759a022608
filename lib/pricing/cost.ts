/**
 * Prices are per vCPU-hour, per GB RAM-hour, per GB disk-month and per GPU-hour (by GPU type).
 * A month is 730 hours. Costs are in the portal's currency, rounded to cents.
 */
export const HOURS_PER_MONTH = 730;

export type PriceTable = { vcpuHour: number; memoryGbHour: number; diskGbMonth: number; gpuHour: Record<string, number> };
export const NO_PRICES: PriceTable = { vcpuHour: 0, memoryGbHour: 0, diskGbMonth: 0, gpuHour: {} };

export type Sized = { cpuCores: number; memoryMb: number; diskGb: number; gpuCount?: number; gpuType?: string | null };

export function monthlyCost(vm: Sized, prices: PriceTable): number {
  const hourly = vm.cpuCores * prices.vcpuHour + (vm.memoryMb / 1024) * prices.memoryGbHour + (vm.gpuCount ?? 0) * (prices.gpuHour[vm.gpuType ?? ""] ?? 0);
  return Math.round((hourly * HOURS_PER_MONTH + vm.diskGb * prices.diskGbMonth) * 100) / 100;
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
