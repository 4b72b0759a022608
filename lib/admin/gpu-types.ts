import { db } from "../db/client";
import { loadPrices } from "../quota/context";
import { gpuTypeLabel } from "../schemas/catalog";
import { templateOffers } from "../vms/template-offers";

/**
 * The GPU types the admin console offers in plan and price forms: every id the providers'
 * offers name now (with their labels), and every id already in a price row, a plan or a VM (a
 * provider that does not answer leaves its ids out, not the form). Sorted by id.
 */
export async function knownGpuTypes(): Promise<{ id: string; label: string }[]> {
  const [templates, prices, plans, vms] = await Promise.all([
    db().template.findMany({ where: { enabled: true, provider: { enabled: true } }, include: { provider: { select: { id: true, name: true, kind: true } } } }),
    db().price.findMany({ where: { resource: "gpu_hour" }, select: { gpuType: true } }),
    db().plan.findMany({ select: { allowedGpuTypes: true } }),
    db().vm.findMany({ where: { gpuType: { not: null } }, distinct: ["gpuType"], select: { gpuType: true } }),
  ]);
  const offered: Record<string, string> = {};
  const offers = await templateOffers(templates, await loadPrices(db()));
  for (const list of offers.values()) for (const o of list ?? []) offered[o.gpuType] ??= o.label;
  const ids = new Set([...Object.keys(offered), ...prices.map((p) => p.gpuType), ...plans.flatMap((p) => p.allowedGpuTypes), ...vms.map((v) => v.gpuType!)].filter(Boolean));
  return [...ids].sort().map((id) => ({ id, label: gpuTypeLabel(id, offered) }));
}
