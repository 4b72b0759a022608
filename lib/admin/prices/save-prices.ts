import { db } from "../../db/client";
import type { PricesForm } from "../../schemas/admin";
import { CURRENCY_SETTING } from "../../schemas/catalog";
import { audit, TX_OPTIONS, type AdminActor, type Tx } from "../common";
import { plainDecimal } from "./views";

/** Price rows as `resource` or `gpu_hour:<type>` → amount, and the currency: for the audit log. */
export async function priceSnapshot(tx: Pick<Tx, "price" | "setting">) {
  const [rows, currency] = await Promise.all([tx.price.findMany(), tx.setting.findUnique({ where: { key: CURRENCY_SETTING } })]);
  return {
    currency: currency?.value ?? null,
    ...Object.fromEntries(rows.map((r) => [r.gpuType ? `${r.resource}:${r.gpuType}` : r.resource, plainDecimal(r.amount)])),
  };
}

/** Sets the currency and every price at once; an empty price removes it (it then counts as 0). Audited. */
export async function savePrices(input: PricesForm, actor: AdminActor): Promise<void> {
  const wanted: { resource: string; gpuType: string; amount: string | null }[] = [
    { resource: "vcpu_hour", gpuType: "", amount: input.vcpuHour },
    { resource: "memory_gb_hour", gpuType: "", amount: input.memoryGbHour },
    { resource: "disk_gb_month", gpuType: "", amount: input.diskGbMonth },
    // GPU types the form did not name keep their price.
    ...Object.entries(input.gpuHour).map(([g, amount]) => ({ resource: "gpu_hour", gpuType: g, amount: amount ?? null })),
  ];
  await db().$transaction(async (tx) => {
    const before = await priceSnapshot(tx);
    await tx.setting.upsert({ where: { key: CURRENCY_SETTING }, create: { key: CURRENCY_SETTING, value: input.currency }, update: { value: input.currency } });
    for (const p of wanted) {
      const key = { resource_gpuType: { resource: p.resource, gpuType: p.gpuType } };
      if (p.amount === null) await tx.price.deleteMany({ where: { resource: p.resource, gpuType: p.gpuType } });
      else await tx.price.upsert({ where: key, create: { resource: p.resource, gpuType: p.gpuType, amount: p.amount }, update: { amount: p.amount } });
    }
    // A removed price is written as null, so that the audit log reads it as removed (a key left
    // out of `after` reads as unchanged context: lib/admin/audit/diff.ts).
    const after: Record<string, unknown> = await priceSnapshot(tx);
    for (const key of Object.keys(before)) if (!(key in after)) after[key] = null;
    await audit(tx, actor, "prices.update", "prices", null, before, after);
  }, TX_OPTIONS);
}
