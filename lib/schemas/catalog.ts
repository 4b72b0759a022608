/**
 * The fixed vocabularies of plans and prices, shared by the configuration file, the admin
 * console's forms (in the browser) and the server. Free of server-only imports.
 */
export const PROVIDER_KINDS = ["pve", "vergeos", "nova"] as const;
export type ProviderKindName = (typeof PROVIDER_KINDS)[number];

export const RENTAL_TYPES = ["on_demand", "reserved_1m", "reserved_3m", "reserved_6m", "interruptible"] as const;
export type RentalType = (typeof RENTAL_TYPES)[number];
export const RENTAL_TYPE_LABELS: Record<RentalType, string> = {
  on_demand: "On demand",
  reserved_1m: "Reserved 1 month",
  reserved_3m: "Reserved 3 months",
  reserved_6m: "Reserved 6 months",
  interruptible: "Interruptible",
};

/**
 * GPU types are opaque ids from the providers' offers (never a fixed list: plans, prices and VMs
 * accept any id). These are only well-known labels, for ids no offer labels.
 */
export const GPU_TYPES = ["5090", "4090", "6000pro"] as const;
export type GpuType = (typeof GPU_TYPES)[number];
export const GPU_TYPE_LABELS: Record<GpuType, string> = { "5090": "RTX 5090", "4090": "RTX 4090", "6000pro": "RTX PRO 6000" };

/** Price rows: `resource` with `gpuType` "" except for gpu_hour (one row per GPU type). */
export const PRICE_RESOURCES = ["vcpu_hour", "memory_gb_hour", "disk_gb_month", "gpu_hour"] as const;
export type PriceResource = (typeof PRICE_RESOURCES)[number];

export const CURRENCY_SETTING = "currency";
export const DEFAULT_CURRENCY = "EUR";

/** A GPU type id's label: the offers' when known, else a well-known one, else the id itself. */
export function gpuTypeLabel(id: string, offered: Record<string, string> = {}): string {
  return offered[id] ?? (GPU_TYPE_LABELS as Record<string, string>)[id] ?? id;
}
