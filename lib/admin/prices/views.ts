import { db } from "../../db/client";
import { CURRENCY_SETTING, DEFAULT_CURRENCY } from "../../schemas/catalog";

/** Prices as the form shows them: exact decimal strings, null where no price is set. */
export type PricesView = {
  currency: string;
  vcpuHour: string | null;
  memoryGbHour: string | null;
  diskGbMonth: string | null;
  /** Per GPU-hour by GPU type id: every id with a price, and each of `gpuTypes` (null: no price). */
  gpuHour: Record<string, string | null>;
  updatedAt: string | null;
};

/** "0.0100" → "0.01": the stored Decimal(12,4) without trailing zeros. */
export function plainDecimal(value: { toFixed(places: number): string }): string {
  return value.toFixed(4).replace(/\.?0+$/, "") || "0";
}

export async function getPrices(gpuTypes: string[] = []): Promise<PricesView> {
  const [rows, currency] = await Promise.all([db().price.findMany(), db().setting.findUnique({ where: { key: CURRENCY_SETTING } })]);
  const find = (resource: string, gpuType = "") => {
    const row = rows.find((r) => r.resource === resource && r.gpuType === gpuType);
    return row ? plainDecimal(row.amount) : null;
  };
  const latest = [...rows.map((r) => r.updatedAt), ...(currency ? [currency.updatedAt] : [])].sort((a, b) => b.getTime() - a.getTime())[0];
  return {
    currency: typeof currency?.value === "string" ? currency.value : DEFAULT_CURRENCY,
    vcpuHour: find("vcpu_hour"),
    memoryGbHour: find("memory_gb_hour"),
    diskGbMonth: find("disk_gb_month"),
    gpuHour: Object.fromEntries([...new Set([...gpuTypes, ...rows.filter((r) => r.resource === "gpu_hour").map((r) => r.gpuType)])].sort().map((g) => [g, find("gpu_hour", g)])),
    updatedAt: latest?.toISOString() ?? null,
  };
}
