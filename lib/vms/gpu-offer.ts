import { AppError } from "../errors";
import { HOURS_PER_MONTH, type PriceTable } from "../pricing/cost";
import {
  Decimal,
  DEFAULT_RESERVATION_RULES,
  rentalQuote,
  type Decimal as DecimalT,
  type ProviderReservationQuote,
  type RentalQuote,
  type RentalRates,
} from "../pricing/rental";
import type { CreateRequest, GpuOffer, ProviderCapabilities, ProviderClient } from "../providers/types";
import { RENTAL_TYPE_LABELS, type RentalType } from "../schemas/catalog";
import type { GpuOrder } from "../schemas/gpu-order";
import type { Size } from "../schemas/size";

/**
 * GPU orders in the core's terms: which offer a request takes, the size that is built, and the
 * prices it is accepted at. Provider-neutral: offers come from the provider's `gpuOffers`, prices
 * from the offer's own rates (providers that bill, e.g. a GPU cloud) or else from the portal's
 * price table, reservations from the provider's `quote` when it has one, else the portal's rules.
 */

/** The rental types an offer can be had with (an offer naming none: on demand only). */
export const offerRentalTypes = (offer: Pick<GpuOffer, "rentalTypes">): readonly RentalType[] => (offer.rentalTypes.length ? offer.rentalTypes : ["on_demand"]);

const labelOf = (offer: GpuOffer) => (offer.label && offer.label !== offer.gpuType ? `${offer.gpuType} (${offer.label})` : offer.gpuType);

/** A number-like decimal string of a provider's quote, else undefined. */
const amount = (v: string | null | undefined) => (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? v : undefined);

/**
 * A provider's `quote()` answer (keys: QUOTE_KEYS of lib/providers/types.ts) as the pricing
 * functions take a reservation quote; null when it lacks a field (then the portal's rules apply).
 */
export function reservationQuoteFrom(raw: Record<string, string | null> | null | undefined): ProviderReservationQuote | null {
  if (!raw) return null;
  const q = {
    discountPercent: amount(raw.discountPercent),
    depositRequired: amount(raw.deposit),
    monthlyCost: amount(raw.monthlyCost),
    hourlyRateAfterDiscount: amount(raw.totalHourly),
    cancellationFee: amount(raw.cancellationFee),
  };
  return Object.values(q).every((v) => v !== undefined) ? (q as ProviderReservationQuote) : null;
}

/**
 * An offer's rates as the pricing functions take them: the provider's own (per GPU-hour, per
 * GB-hour of storage), else the portal's price table (GPU-hour by type; disk per GB-month spread
 * over 730 h). `runningExtraHourly`: what the portal also charges while the VM runs (vCPU and
 * memory, only when the portal prices the VM; a provider's rate already includes them).
 */
export function offerRates(offer: GpuOffer, size: Size, prices: PriceTable): { rates: RentalRates; runningExtraHourly: DecimalT; currency: string | null } {
  if (offer.rates) {
    const { gpuHour, storageGbHour, interruptibleGpuHour } = offer.rates;
    return {
      rates: { gpuHourly: gpuHour, storageGbHourly: storageGbHour ?? "0", ...(interruptibleGpuHour !== undefined ? { interruptibleGpuHourly: interruptibleGpuHour } : {}) },
      runningExtraHourly: new Decimal(0),
      currency: offer.rates.currency ?? null,
    };
  }
  const n = (v: number | undefined) => new Decimal(String(v ?? 0));
  return {
    rates: { gpuHourly: n(prices.gpuHour[offer.gpuType]), storageGbHourly: n(prices.diskGbMonth).div(HOURS_PER_MONTH) },
    runningExtraHourly: n(prices.vcpuHour).times(size.cpuCores).plus(n(prices.memoryGbHour).times(size.memoryMb).div(1024)),
    currency: null,
  };
}

/** The prices a GPU VM is accepted at: its quote, its rates as recorded on the VM, and what counts against a spend limit. */
export type GpuPricing = {
  quote: RentalQuote;
  /** Per hour, charged only while running (the GPUs, and the portal's vCPU/memory price when it prices the VM). */
  gpuHourly: DecimalT;
  /** Per hour, charged for every hour the VM exists. */
  storageHourly: DecimalT;
  /** A month at these rates, or a reservation's whole term. */
  committed: DecimalT;
  currency: string | null;
};

/**
 * Prices `count` GPUs of `offer` with `size`'s storage for `order.rental`. A provider that quotes
 * (`quote`, keys QUOTE_KEYS) is asked first: its hourly GPU and storage amounts and its
 * commitment are what the VM is accepted at (a reservation: the provider's own calculation).
 * Without one, or when it fails or answers incompletely, the offer's rates (or the portal's price
 * table) and the portal's reservation rules give the prices (`quote.reserved.source` "rules").
 * Never throws for the provider's sake.
 */
export async function priceGpuOrder(provider: ProviderClient, request: CreateRequest | null, offer: GpuOffer, order: GpuOrder & { gpu: { type: string; count: number } }, size: Size, prices: PriceTable): Promise<GpuPricing> {
  const { rates, runningExtraHourly, currency } = offerRates(offer, size, prices);
  let provided: Record<string, string | null> | null = null;
  if (provider.quote && request) {
    try {
      provided = await provider.quote(request);
    } catch {
      provided = null; // the offer's rates and the rules below give an estimate
    }
  }
  const reservationQuote = order.rental.rentalType === "reserved" ? (reservationQuoteFrom(provided) ?? undefined) : undefined;
  const quote = rentalQuote({ gpuCount: order.gpu.count, storageGb: size.diskGb, rates, choice: order.rental, reservationQuote, rules: DEFAULT_RESERVATION_RULES });
  const months = order.rental.rentalType === "reserved" ? order.rental.reservationMonths : 1;
  const gpuHourly = amount(provided?.gpuHourly);
  const storageHourly = amount(provided?.storageHourly);
  const commitment = amount(provided?.commitment);
  return {
    quote,
    gpuHourly: (gpuHourly !== undefined ? new Decimal(gpuHourly) : quote.hourly.gpu).plus(runningExtraHourly),
    storageHourly: storageHourly !== undefined ? new Decimal(storageHourly) : quote.hourly.storage,
    committed: (commitment !== undefined ? new Decimal(commitment) : quote.commitment).plus(runningExtraHourly.times(HOURS_PER_MONTH).times(months)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP),
    currency: provided?.currency ?? currency,
  };
}

export type ResolvedOffer = { offer: GpuOffer; size: Size };

/**
 * Checks a GPU order against the plan and the template's offers, in this order, each a 400 in
 * words the user can act on: the plan's GPU types and rental types; the template offers GPUs at
 * all; the GPU type is offered; the count is one the offer has; the rental type is one it can be
 * had with; where the kind's sizes come from its offers (`capabilities.sizes` "offers"), cpuCores
 * and memorySize within the offer's, and the offer's values are what is built. Availability is
 * checked by the caller (lib/quota/gpu-pool.ts). Returns null for a request without GPUs (after
 * refusing one that a kind renting only GPU machines needs).
 */
export function resolveOffer(args: {
  templateName: string;
  capabilities: ProviderCapabilities;
  plan: { allowedGpuTypes: string[]; allowedRentalTypes: string[] } | null;
  offers: GpuOffer[] | null;
  order: GpuOrder;
  size: Size;
}): ResolvedOffer | null {
  const { templateName, capabilities, plan, offers, order, size } = args;
  const bad = (message: string) => new AppError("bad_request", message);
  const offered = (offers ?? []).map(labelOf).join(", ") || "none";
  if (!order.gpu) {
    if (capabilities.sizes === "offers") throw bad(`Template "${templateName}" is rented with GPUs: give gpuType (offered: ${offered})`);
    return null;
  }
  const { type, count } = order.gpu;
  if (plan?.allowedGpuTypes.length && !plan.allowedGpuTypes.includes(type)) throw bad(`Your plan does not allow GPU type ${type} (allowed: ${plan.allowedGpuTypes.join(", ")})`);
  if (plan?.allowedRentalTypes.length && !plan.allowedRentalTypes.includes(order.planRentalType)) {
    throw bad(`Your plan does not allow the rental type ${RENTAL_TYPE_LABELS[order.planRentalType]} (allowed: ${plan.allowedRentalTypes.map((r) => RENTAL_TYPE_LABELS[r as RentalType] ?? r).join(", ")})`);
  }
  if (!capabilities.gpus.offered || offers === null) throw bad(`Template "${templateName}" offers no GPUs`);
  const offer = offers.find((o) => o.gpuType === type);
  if (!offer) throw bad(`Template "${templateName}" offers no GPU type ${type} (offered: ${offered})`);
  if (!offer.counts.includes(count)) throw bad(`gpuCount must be one of ${offer.counts.join(", ")} for ${labelOf(offer)}`);
  const rentals = offerRentalTypes(offer);
  if (!rentals.includes(order.planRentalType)) throw bad(`${labelOf(offer)} cannot be rented as ${RENTAL_TYPE_LABELS[order.planRentalType]} here (offered: ${rentals.map((r) => RENTAL_TYPE_LABELS[r]).join(", ")})`);
  if (capabilities.sizes === "offers" && offer.perGpu) {
    const cores = offer.perGpu.cpuCores * count;
    const memoryMb = offer.perGpu.memoryMb * count;
    const over = [
      size.cpuCores > cores && `cpuCores: ${count} × ${offer.label} come with ${cores} vCPU cores (at most ${cores})`,
      size.memoryMb > memoryMb && `memorySize: ${count} × ${offer.label} come with ${memoryMb} MB (at most ${memoryMb})`,
    ].filter(Boolean);
    if (over.length) throw bad(`Sizes come with the GPU offer: ${over.join("; ")}`);
    return { offer, size: { cpuCores: cores, memoryMb, diskGb: size.diskGb, gpus: { [type]: count } } };
  }
  return { offer, size: { ...size, gpus: { [type]: count } } };
}
