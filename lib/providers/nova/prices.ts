import { rentalQuote, type RentalChoice, type RentalQuote, type RentalRates } from "../../pricing/rental";
import type { NovaClient } from "./client";
import { NovaError } from "./errors";
import { INTERRUPTIBLE_DISCOUNT_PERCENT_GUESS, RESERVATION_RULES_GUESS } from "./protocol-guesses";
import { NOVA_GPU_COUNTS, type NovaOffer, type NovaPricing, type NovaReservationQuote } from "./types";

/**
 * From Nova's catalogue (`GET /search`, `GET /pricing`) to what the wizard shows before commit:
 * the GPU types on offer (opaque names, never a fixed list), their free GPUs, the sizes Nova
 * builds, and a full rental quote (lib/pricing/rental.ts) with Nova's own reservation numbers
 * when `POST /reservations/calculate` answers, else the fallback rules of protocol-guesses.ts.
 */

export type NovaGpuChoice = {
  gpuType: string;
  gpuRamMb?: number;
  /** Per GPU-hour (decimal strings). */
  gpuHourly?: string;
  interruptibleHourly?: string;
  /** Free GPUs now, per node (undefined: the offer does not say how many). */
  nodes: { node?: string; location?: string; free?: number; available: boolean }[];
  /** The largest count POST /vms accepts (1, 2, 4, 8) that some node can give now; 0 when none. */
  maxCount: number;
};

/** The largest documented GPU count not above `free`. */
export function largestCount(free: number | undefined): number {
  if (free === undefined) return NOVA_GPU_COUNTS[NOVA_GPU_COUNTS.length - 1] as number;
  return [...NOVA_GPU_COUNTS].reverse().find((c) => c <= free) ?? 0;
}

/** Offers grouped by GPU type, in the order Nova lists them; prices from the offers, else from /pricing. */
export function gpuChoices(offers: NovaOffer[], pricing?: NovaPricing): NovaGpuChoice[] {
  const byType = new Map<string, NovaGpuChoice>();
  for (const offer of offers) {
    let choice = byType.get(offer.gpuType);
    if (!choice) {
      choice = {
        gpuType: offer.gpuType,
        gpuRamMb: offer.gpuRamMb,
        gpuHourly: offer.gpuHourly ?? pricing?.gpus[offer.gpuType],
        interruptibleHourly: offer.interruptibleHourly ?? pricing?.interruptibleGpus[offer.gpuType],
        nodes: [],
        maxCount: 0,
      };
      byType.set(offer.gpuType, choice);
    }
    choice.gpuRamMb ??= offer.gpuRamMb;
    choice.nodes.push({ node: offer.node, location: offer.location, free: offer.availableCount, available: offer.available });
    if (offer.available) choice.maxCount = Math.max(choice.maxCount, largestCount(offer.availableCount));
  }
  return [...byType.values()];
}

/** The cores and RAM Nova builds for `gpuCount` GPUs of an offer (shown, not typed), when the offer says. */
export function offerSize(offer: NovaOffer, gpuCount: number): { cpuCores?: number; ramGb?: number } {
  const per = (perGpu: number | undefined, total: number | undefined) =>
    perGpu !== undefined ? perGpu * gpuCount : total !== undefined && offer.gpuCount ? (total / offer.gpuCount) * gpuCount : undefined;
  return { cpuCores: per(offer.cpuCoresPerGpu, offer.cpuCores), ramGb: per(offer.ramGbPerGpu, offer.ramGb) };
}

/**
 * The rates of a GPU type: the node's offer first, then any offer, then /pricing. The storage
 * price comes from the offer or /pricing, else `storageGbHourly` (configured). Throws a
 * `validation` NovaError naming what is missing.
 */
export function novaRates(gpuType: string, catalogue: { offers: NovaOffer[]; pricing?: NovaPricing; node?: string; storageGbHourly?: string }): RentalRates {
  const candidates = catalogue.offers.filter((o) => o.gpuType === gpuType);
  const offer = candidates.find((o) => catalogue.node !== undefined && o.node === catalogue.node) ?? candidates[0];
  const gpuHourly = offer?.gpuHourly ?? catalogue.pricing?.gpus[gpuType];
  if (gpuHourly === undefined) throw new NovaError("validation", `Nova Cloud has no price for GPU type ${gpuType}.`, { errors: { gpu_type: "no price" } });
  const storageGbHourly = offer?.storageGbHourly ?? catalogue.pricing?.storageGbHourly ?? catalogue.storageGbHourly;
  if (storageGbHourly === undefined) {
    throw new NovaError("validation", "Nova Cloud does not publish its storage price: set the provider's storage price per GB-hour.", { errors: { storage: "no price" } });
  }
  const interruptible = offer?.interruptibleHourly ?? catalogue.pricing?.interruptibleGpus[gpuType];
  return { gpuHourly, storageGbHourly, ...(interruptible !== undefined ? { interruptibleGpuHourly: interruptible } : {}) };
}

export type NovaQuoteRequest = {
  gpuType: string;
  gpuCount: number;
  storageGb: number;
  choice: RentalChoice;
  node?: string;
  /** Configured storage price per GB-hour, when Nova's catalogue does not carry one. */
  storageGbHourly?: string;
};

/**
 * A full quote for the wizard and the API. For a reservation, Nova's own calculation is asked
 * first; if that endpoint cannot answer (network, 5xx, 404, rate limit), the fallback rules give
 * an estimate (`reserved.source: "rules"`). Its refusals of the request itself (422, 4xx) are
 * passed on.
 */
export async function quoteNovaRental(client: NovaClient, request: NovaQuoteRequest, catalogue?: { offers: NovaOffer[]; pricing?: NovaPricing }): Promise<RentalQuote> {
  const offers = catalogue?.offers ?? (await client.search());
  let pricing = catalogue?.pricing;
  const needPricing = !offers.some((o) => o.gpuType === request.gpuType && o.gpuHourly !== undefined && o.storageGbHourly !== undefined);
  if (!pricing && needPricing) pricing = await client.pricing().catch(() => undefined);
  const rates = novaRates(request.gpuType, { offers, pricing, node: request.node, storageGbHourly: request.storageGbHourly });
  let reservationQuote: NovaReservationQuote | undefined;
  if (request.choice.rentalType === "reserved") {
    try {
      reservationQuote = await client.calculateReservation({ gpuType: request.gpuType, gpuCount: request.gpuCount, storageGb: request.storageGb, reservationMonths: request.choice.reservationMonths });
    } catch (error) {
      const fallBack = error instanceof NovaError && ["network", "unavailable", "server", "not_found", "rate_limited", "timeout"].includes(error.novaKind);
      if (!fallBack) throw error;
    }
  }
  return rentalQuote({
    gpuCount: request.gpuCount,
    storageGb: request.storageGb,
    rates,
    choice: request.choice,
    reservationQuote,
    rules: RESERVATION_RULES_GUESS,
    interruptibleDiscountPercent: INTERRUPTIBLE_DISCOUNT_PERCENT_GUESS,
  });
}
