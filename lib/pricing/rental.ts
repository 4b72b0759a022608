import DecimalJs from "decimal.js";
import { z } from "zod";
import { HOURS_PER_MONTH } from "./cost";
import { RENTAL_KINDS, RESERVATION_MONTHS, type ReservationMonths } from "./rental-types";

export { fromPlanRentalType, RENTAL_KINDS, RESERVATION_MONTHS, toPlanRentalType, type PlanRentalType, type RentalKind, type ReservationMonths } from "./rental-types";

/**
 * Prices of GPU rentals (on demand, reserved for 1/3/6 months, interruptible), before commit.
 * Pure functions on decimals: money is never a binary float (0.35 × 730 is 255.5, not
 * 255.49999999999997). Inputs are decimal strings (as providers' prices are read), integers or
 * Decimals; outputs are Decimals, exact (hourly rates keep sub-cent digits); `money()` rounds
 * half-up to cents for display, `quoteToJson()` turns a quote into strings.
 *
 * Provider-neutral: a provider supplies its rates (per GPU-hour and per GB-hour), optionally its
 * own reservation quote (Nova: `POST /reservations/calculate`), and its fallback rules.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = DecimalJs;
export type DecimalInput = DecimalJs | string | number;

const dec = (value: DecimalInput, what: string): DecimalJs => {
  if (typeof value === "number" && !Number.isInteger(value)) {
    // A fractional JS number already lost exactness somewhere: refuse rather than hide it.
    throw new TypeError(`${what}: pass fractional amounts as decimal strings, not numbers (${value})`);
  }
  try {
    const d = new Decimal(value);
    if (!d.isFinite()) throw new Error("not finite");
    return d;
  } catch {
    throw new TypeError(`${what}: not a decimal amount (${String(value)})`);
  }
};

/** The plain warning shown with every interruptible choice. */
export const INTERRUPTIBLE_WARNING =
  "An interruptible machine can be stopped at any time when an on-demand customer needs the GPU. While it is interrupted its GPU is not charged, but its storage still is.";

/**
 * A rental choice as the API and the wizard send it, with one clear message per bad combination:
 * `reservationMonths` (1, 3 or 6) exactly when reserved; `autoRestart` only for interruptible.
 */
export const rentalChoiceSchema = z
  .object({
    rentalType: z.enum(RENTAL_KINDS, { error: "rentalType must be on_demand, reserved or interruptible" }).default("on_demand"),
    reservationMonths: z.number({ error: "reservationMonths must be 1, 3 or 6" }).optional(),
    autoRestart: z.boolean({ error: "autoRestart must be true or false" }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.rentalType === "reserved") {
      if (v.reservationMonths === undefined) ctx.addIssue({ code: "custom", path: ["reservationMonths"], message: "reservationMonths (1, 3 or 6) is required when rentalType is reserved" });
      else if (!(RESERVATION_MONTHS as readonly number[]).includes(v.reservationMonths)) ctx.addIssue({ code: "custom", path: ["reservationMonths"], message: "reservationMonths must be 1, 3 or 6" });
    } else if (v.reservationMonths !== undefined) {
      ctx.addIssue({ code: "custom", path: ["reservationMonths"], message: "reservationMonths applies only when rentalType is reserved" });
    }
    if (v.autoRestart !== undefined && v.rentalType !== "interruptible") {
      ctx.addIssue({ code: "custom", path: ["autoRestart"], message: "autoRestart applies only when rentalType is interruptible" });
    }
  });
export type RentalChoiceInput = z.input<typeof rentalChoiceSchema>;
export type RentalChoice = { rentalType: "on_demand" | "interruptible"; reservationMonths?: undefined; autoRestart?: boolean } | { rentalType: "reserved"; reservationMonths: ReservationMonths; autoRestart?: undefined };

/** Parses a choice; throws a ZodError with the messages above. */
export function parseRentalChoice(input: unknown): RentalChoice {
  return rentalChoiceSchema.parse(input) as RentalChoice;
}

/** A provider's rates: per GPU-hour (on demand, and interruptible when known) and per GB of storage per hour. */
export type RentalRates = { gpuHourly: DecimalInput; interruptibleGpuHourly?: DecimalInput; storageGbHourly: DecimalInput };

/** How a provider prices reservations when it cannot be asked (percentages as decimals, e.g. "20"). */
export type ReservationRules = { discountPercent: Record<ReservationMonths, DecimalInput>; depositMonths: DecimalInput; cancellationFeePercent: DecimalInput };

/**
 * The portal's reservation rules when a provider has no quote of its own (or cannot answer):
 * 5 / 10 / 20 % off for 1 / 3 / 6 months, one month's cost as deposit, 25 % of the term as the
 * cancellation fee. Quotes computed from them say `source: "rules"` (an estimate).
 */
export const DEFAULT_RESERVATION_RULES: ReservationRules = { discountPercent: { 1: "5", 3: "10", 6: "20" }, depositMonths: "1", cancellationFeePercent: "25" };

/** A provider's own reservation quote (Nova's `POST /reservations/calculate`, amounts as decimal strings). */
export type ProviderReservationQuote = { discountPercent: DecimalInput; depositRequired: DecimalInput; monthlyCost: DecimalInput; hourlyRateAfterDiscount: DecimalInput; cancellationFee: DecimalInput };

export type HourlyPrice = { gpu: DecimalJs; storage: DecimalJs; total: DecimalJs };

export type RentalQuoteInput = {
  gpuCount: number;
  storageGb: number;
  rates: RentalRates;
  choice: RentalChoice;
  /** Nova's numbers for this reservation, when it answered; they win over `rules`. */
  reservationQuote?: ProviderReservationQuote;
  rules?: ReservationRules;
  /** Saving assumed when no interruptible rate is known (percent, e.g. "50"). */
  interruptibleDiscountPercent?: DecimalInput;
};

export type ReservedQuote = {
  months: ReservationMonths;
  discountPercent: DecimalJs;
  hourlyAfterDiscount: DecimalJs;
  monthlyCost: DecimalJs;
  deposit: DecimalJs;
  cancellationFee: DecimalJs;
  /** monthlyCost × months: what the reservation commits to (a spend limit counts all of it). */
  termCost: DecimalJs;
  /** `provider`: the provider's own calculation; `rules`: computed from documented rules (an estimate). */
  source: "provider" | "rules";
};

export type InterruptibleQuote = { savingHourly: DecimalJs; savingPercent: DecimalJs; savingMonthly: DecimalJs; rateKnown: boolean; warning: string };

export type RentalQuote = {
  choice: RentalChoice;
  gpuCount: number;
  storageGb: number;
  /** The on-demand price, for comparison. */
  onDemandHourly: HourlyPrice;
  /** The chosen type's hourly price (reserved: after the discount, split GPU/storage in proportion). */
  hourly: HourlyPrice;
  /** Estimate for a month (730 h) of running at `hourly`; for a reservation its monthly cost. */
  monthly: DecimalJs;
  reserved?: ReservedQuote;
  interruptible?: InterruptibleQuote;
  /** What counts against a monthly spend limit: a month, or a reservation's whole term. */
  commitment: DecimalJs;
};

function checkSize(gpuCount: number, storageGb: number): void {
  if (!Number.isInteger(gpuCount) || gpuCount < 0) throw new TypeError(`gpuCount must be a whole number ≥ 0 (${gpuCount})`);
  if (!Number.isInteger(storageGb) || storageGb < 0) throw new TypeError(`storageGb must be a whole number of GB ≥ 0 (${storageGb})`);
}

/** The on-demand hourly price of `gpuCount` GPUs and `storageGb` GB. */
export function onDemandHourly(gpuCount: number, storageGb: number, rates: RentalRates): HourlyPrice {
  checkSize(gpuCount, storageGb);
  const gpu = dec(rates.gpuHourly, "gpuHourly").times(gpuCount);
  const storage = dec(rates.storageGbHourly, "storageGbHourly").times(storageGb);
  return { gpu, storage, total: gpu.plus(storage) };
}

/** The interruptible hourly price: the interruptible GPU rate, or the on-demand one less `fallbackPercent`. */
export function interruptibleHourly(gpuCount: number, storageGb: number, rates: RentalRates, fallbackPercent: DecimalInput = "50"): HourlyPrice & { rateKnown: boolean } {
  const base = onDemandHourly(gpuCount, storageGb, rates);
  const rateKnown = rates.interruptibleGpuHourly !== undefined;
  const gpu = rateKnown
    ? dec(rates.interruptibleGpuHourly as DecimalInput, "interruptibleGpuHourly").times(gpuCount)
    : base.gpu.times(new Decimal(100).minus(dec(fallbackPercent, "interruptibleDiscountPercent"))).div(100);
  return { gpu, storage: base.storage, total: gpu.plus(base.storage), rateKnown };
}

/** Hours in a month, as every monthly estimate in Hangar uses (lib/pricing/cost.ts). */
export function monthlyFromHourly(hourly: DecimalInput): DecimalJs {
  return dec(hourly, "hourly").times(HOURS_PER_MONTH);
}

/** A reservation's numbers: the provider's quote when given, else computed from `rules`. */
export function reservedQuote(onDemand: HourlyPrice, months: ReservationMonths, quote?: ProviderReservationQuote, rules?: ReservationRules): ReservedQuote {
  if (quote) {
    const monthlyCost = dec(quote.monthlyCost, "monthlyCost");
    return {
      months,
      discountPercent: dec(quote.discountPercent, "discountPercent"),
      hourlyAfterDiscount: dec(quote.hourlyRateAfterDiscount, "hourlyRateAfterDiscount"),
      monthlyCost,
      deposit: dec(quote.depositRequired, "depositRequired"),
      cancellationFee: dec(quote.cancellationFee, "cancellationFee"),
      termCost: monthlyCost.times(months),
      source: "provider",
    };
  }
  if (!rules) throw new TypeError("a reservation quote needs the provider's calculation or its rules");
  const discountPercent = dec(rules.discountPercent[months], "discountPercent");
  const hourlyAfterDiscount = onDemand.total.times(new Decimal(100).minus(discountPercent)).div(100);
  const monthlyCost = hourlyAfterDiscount.times(HOURS_PER_MONTH);
  const termCost = monthlyCost.times(months);
  return {
    months,
    discountPercent,
    hourlyAfterDiscount,
    monthlyCost,
    deposit: monthlyCost.times(dec(rules.depositMonths, "depositMonths")),
    cancellationFee: termCost.times(dec(rules.cancellationFeePercent, "cancellationFeePercent")).div(100),
    termCost,
    source: "rules",
  };
}

/** Everything the user sees before committing to a rental. */
export function rentalQuote(input: RentalQuoteInput): RentalQuote {
  const { gpuCount, storageGb, rates, choice } = input;
  const onDemand = onDemandHourly(gpuCount, storageGb, rates);
  const base = { choice, gpuCount, storageGb, onDemandHourly: onDemand };
  if (choice.rentalType === "reserved") {
    const reserved = reservedQuote(onDemand, choice.reservationMonths, input.reservationQuote, input.rules);
    // Split the discounted rate between GPU and storage in the on-demand proportion (display only).
    const factor = onDemand.total.isZero() ? new Decimal(0) : reserved.hourlyAfterDiscount.div(onDemand.total);
    const hourly = { gpu: onDemand.gpu.times(factor), storage: onDemand.storage.times(factor), total: reserved.hourlyAfterDiscount };
    return { ...base, hourly, monthly: reserved.monthlyCost, reserved, commitment: reserved.termCost };
  }
  if (choice.rentalType === "interruptible") {
    const { rateKnown, ...hourly } = interruptibleHourly(gpuCount, storageGb, rates, input.interruptibleDiscountPercent);
    const savingHourly = onDemand.total.minus(hourly.total);
    const savingPercent = onDemand.total.isZero() ? new Decimal(0) : savingHourly.div(onDemand.total).times(100).toDecimalPlaces(1);
    const monthly = monthlyFromHourly(hourly.total);
    return {
      ...base,
      hourly,
      monthly,
      interruptible: { savingHourly, savingPercent, savingMonthly: monthlyFromHourly(savingHourly), rateKnown, warning: INTERRUPTIBLE_WARNING },
      commitment: monthly,
    };
  }
  const monthly = monthlyFromHourly(onDemand.total);
  return { ...base, hourly: onDemand, monthly, commitment: monthly };
}

/** Rounds half-up to cents, as a fixed two-decimal string ("255.50"). */
export function money(value: DecimalInput, places = 2): string {
  return dec(value, "amount").toDecimalPlaces(places, Decimal.ROUND_HALF_UP).toFixed(places);
}

/** A quote with every amount as a decimal string (exact; round with `money` for display). */
export function quoteToJson(quote: RentalQuote): Record<string, unknown> {
  const conv = (v: unknown): unknown => {
    if (DecimalJs.isDecimal(v)) return (v as DecimalJs).toString();
    if (Array.isArray(v)) return v.map(conv);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conv(x)]));
    return v;
  };
  return conv(quote) as Record<string, unknown>;
}
