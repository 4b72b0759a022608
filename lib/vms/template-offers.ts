import { db } from "../db/client";
import { log } from "../log";
import type { PriceTable } from "../pricing/cost";
import { PROVIDER_CATALOG } from "../providers/catalog";
import { providerFor } from "../providers/registry";
import type { GpuOffer, JsonObject, ProviderTemplate } from "../providers/types";
import { freeGpus, gpusHeld } from "../quota/gpu-pool";
import { fromPlanRentalType } from "../pricing/rental";
import type { RentalType } from "../schemas/catalog";
import { offerRates, offerRentalTypes } from "./gpu-offer";

/**
 * The GPU offers of templates as users see them (the API's GET /api/v1/templates and the
 * wizard): the provider's offers with what the portal's own requests hold subtracted from what
 * is free, and the hourly rates (the provider's, else the portal's price table). Provider-neutral.
 */
export type OfferView = {
  gpuType: string;
  label: string;
  memoryGb: number | null;
  /** The counts that can be ordered. */
  gpuCount: number[];
  /** Sizes that come with each GPU (kinds whose sizes come from their offers), else null: sizes are free. */
  cpuCores: number | null;
  /** MB per GPU, as cpuCores. */
  memorySize: number | null;
  /** Per hour, decimal strings: one GPU, one GB of storage. */
  rates: { gpuHourly: string; storageGbHourly: string; currency: string | null; source: "provider" | "portal" };
  /** Devices free for a new request now; `total`: the pool. */
  available: number;
  total: number;
  /** Rental types (the plan's names: on_demand, reserved_1m/3m/6m, interruptible). */
  rentalTypes: RentalType[];
  /** The same as the API names them: rentalType and, for reservations, the months. */
  rentals: { rentalType: string; reservationMonths?: number }[];
};

type TemplateRow = { id: string; name: string; providerId: string; providerRef: unknown; providerRefId: string; settings: unknown; ciuser: string | null; provider: { kind: keyof typeof PROVIDER_CATALOG; name: string } };

/** The view of one offer; `held` is what the portal's own VMs hold of its devices. */
export function offerView(offer: GpuOffer, held: { all: number; pending: number }, prices: PriceTable): OfferView {
  const { rates, currency } = offerRates(offer, { cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: {} }, prices);
  const rentalTypes = [...offerRentalTypes(offer)];
  return {
    gpuType: offer.gpuType,
    label: offer.label || offer.gpuType,
    memoryGb: offer.memoryGb ?? null,
    gpuCount: [...offer.counts].sort((a, b) => a - b),
    cpuCores: offer.perGpu?.cpuCores ?? null,
    memorySize: offer.perGpu?.memoryMb ?? null,
    rates: { gpuHourly: rates.gpuHourly.toString(), storageGbHourly: rates.storageGbHourly.toString(), currency, source: offer.rates ? "provider" : "portal" },
    available: freeGpus(offer, held),
    total: offer.total,
    rentalTypes,
    rentals: rentalTypes.map((r) => fromPlanRentalType(r)),
  };
}

/**
 * Offers per template id, for the templates whose provider kind offers GPUs; a template without
 * GPUs maps to null, one whose provider failed to answer to [] (logged for staff).
 */
export async function templateOffers(templates: TemplateRow[], prices: PriceTable): Promise<Map<string, OfferView[] | null>> {
  const out = new Map<string, OfferView[] | null>();
  const connections = new Map<string, Awaited<ReturnType<typeof loadConnection>>>();
  async function loadConnection(id: string) {
    return db().providerConnection.findUniqueOrThrow({ where: { id } });
  }
  await Promise.all(
    templates.map(async (t) => {
      if (!PROVIDER_CATALOG[t.provider.kind].capabilities.gpus.offered) return out.set(t.id, null);
      try {
        if (!connections.has(t.providerId)) connections.set(t.providerId, await loadConnection(t.providerId));
        const client = providerFor(connections.get(t.providerId)!);
        if (!client.gpuOffers) return out.set(t.id, null);
        const ref: ProviderTemplate = { ref: { id: t.providerRefId, data: t.providerRef as JsonObject }, settings: t.settings as Record<string, unknown>, ciuser: t.ciuser, name: t.name };
        const offers = await client.gpuOffers(ref);
        const views = await Promise.all(offers.map(async (o) => offerView(o, await gpusHeld(db(), t.providerId, o.gpuType), prices)));
        out.set(t.id, views.length ? views : null);
      } catch (error) {
        log.warn({ provider: t.provider.name, template: t.name, err: error instanceof Error ? error.message : String(error) }, "could not list GPU offers");
        out.set(t.id, []);
      }
    }),
  );
  return out;
}
