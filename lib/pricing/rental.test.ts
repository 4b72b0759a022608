import { describe, expect, it } from "vitest";
import {
  INTERRUPTIBLE_WARNING,
  fromPlanRentalType,
  interruptibleHourly,
  money,
  monthlyFromHourly,
  onDemandHourly,
  parseRentalChoice,
  quoteToJson,
  rentalChoiceSchema,
  rentalQuote,
  toPlanRentalType,
  type ReservationRules,
} from "./rental";

const rules: ReservationRules = { discountPercent: { 1: "5", 3: "10", 6: "20" }, depositMonths: "1", cancellationFeePercent: "25" };

describe("rental-type rules", () => {
  const messages = (input: unknown) => {
    const r = rentalChoiceSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("accepts each valid combination", () => {
    expect(parseRentalChoice({})).toEqual({ rentalType: "on_demand" });
    expect(parseRentalChoice({ rentalType: "reserved", reservationMonths: 3 })).toEqual({ rentalType: "reserved", reservationMonths: 3 });
    expect(parseRentalChoice({ rentalType: "interruptible", autoRestart: true })).toEqual({ rentalType: "interruptible", autoRestart: true });
  });

  it("says what is wrong with each bad combination", () => {
    expect(messages({ rentalType: "reserved" })).toEqual(["reservationMonths: reservationMonths (1, 3 or 6) is required when rentalType is reserved"]);
    expect(messages({ rentalType: "reserved", reservationMonths: 2 })).toEqual(["reservationMonths: reservationMonths must be 1, 3 or 6"]);
    expect(messages({ rentalType: "on_demand", reservationMonths: 3 })).toEqual(["reservationMonths: reservationMonths applies only when rentalType is reserved"]);
    expect(messages({ rentalType: "interruptible", reservationMonths: 1 })).toEqual(["reservationMonths: reservationMonths applies only when rentalType is reserved"]);
    expect(messages({ rentalType: "on_demand", autoRestart: true })).toEqual(["autoRestart: autoRestart applies only when rentalType is interruptible"]);
    expect(messages({ rentalType: "reserved", reservationMonths: 6, autoRestart: false })).toEqual(["autoRestart: autoRestart applies only when rentalType is interruptible"]);
    expect(messages({ rentalType: "spot" })).toEqual(["rentalType: rentalType must be on_demand, reserved or interruptible"]);
    expect(messages({ rentalType: "interruptible", autoRestart: "yes" })).toEqual(["autoRestart: autoRestart must be true or false"]);
  });

  it("maps plan names to type and months and back", () => {
    expect(fromPlanRentalType("reserved_3m")).toEqual({ rentalType: "reserved", reservationMonths: 3 });
    expect(fromPlanRentalType("interruptible")).toEqual({ rentalType: "interruptible" });
    expect(toPlanRentalType({ rentalType: "reserved", reservationMonths: 6 })).toBe("reserved_6m");
    expect(toPlanRentalType({ rentalType: "on_demand" })).toBe("on_demand");
    expect(() => toPlanRentalType({ rentalType: "reserved" })).toThrow(/1, 3 or 6/);
  });
});

describe("price arithmetic in decimals", () => {
  it("adds prices where binary floats would be off", () => {
    // 0.1 × 3 is 0.30000000000000004 in floats; 0.0002 × 100 + 0.1 × 3 must be exactly 0.32.
    expect(0.1 * 3).not.toBe(0.3);
    const h = onDemandHourly(3, 100, { gpuHourly: "0.1", storageGbHourly: "0.0002" });
    expect(h.gpu.toString()).toBe("0.3");
    expect(h.storage.toString()).toBe("0.02");
    expect(h.total.toString()).toBe("0.32");
  });

  it("takes a month as 730 hours, exactly", () => {
    expect(0.35 * 730).not.toBe(255.5);
    expect(monthlyFromHourly("0.35").toString()).toBe("255.5");
    expect(money(monthlyFromHourly("0.35"))).toBe("255.50");
  });

  it("rounds half up to cents only for display", () => {
    expect(1.005 * 100).not.toBe(100.5); // why rounding floats is wrong
    expect(money("1.005")).toBe("1.01");
    expect(money("2.675")).toBe("2.68");
    expect(money("0.0049")).toBe("0.00");
  });

  it("refuses fractional JS numbers as money", () => {
    expect(() => onDemandHourly(1, 50, { gpuHourly: 0.55, storageGbHourly: "0.0002" })).toThrow(/decimal strings/);
    expect(() => onDemandHourly(1, 50, { gpuHourly: "abc", storageGbHourly: "0.0002" })).toThrow(/not a decimal/);
    expect(() => onDemandHourly(1.5, 50, { gpuHourly: "1", storageGbHourly: "0" })).toThrow(/gpuCount/);
  });
});

describe("rental quotes", () => {
  const rates = { gpuHourly: "0.55", interruptibleGpuHourly: "0.22", storageGbHourly: "0.0002" };

  it("on demand: hourly split, monthly estimate, commitment of one month", () => {
    const q = rentalQuote({ gpuCount: 2, storageGb: 100, rates, choice: { rentalType: "on_demand" } });
    expect(q.hourly.gpu.toString()).toBe("1.1");
    expect(q.hourly.storage.toString()).toBe("0.02");
    expect(q.hourly.total.toString()).toBe("1.12");
    expect(q.monthly.toString()).toBe("817.6");
    expect(q.commitment.toString()).toBe("817.6");
    expect(q.reserved).toBeUndefined();
    expect(q.interruptible).toBeUndefined();
  });

  it("reserved: Nova's own numbers win, the term is the commitment", () => {
    const q = rentalQuote({
      gpuCount: 2,
      storageGb: 100,
      rates,
      choice: { rentalType: "reserved", reservationMonths: 3 },
      reservationQuote: { discountPercent: "10", depositRequired: "735.84", monthlyCost: "735.84", hourlyRateAfterDiscount: "1.008", cancellationFee: "551.88" },
      rules,
    });
    expect(q.reserved?.source).toBe("provider");
    expect(q.reserved?.deposit.toString()).toBe("735.84");
    expect(q.reserved?.termCost.toString()).toBe("2207.52");
    expect(q.hourly.total.toString()).toBe("1.008");
    expect(q.hourly.gpu.plus(q.hourly.storage).toString()).toBe("1.008");
    expect(q.monthly.toString()).toBe("735.84");
    expect(q.commitment.toString()).toBe("2207.52");
  });

  it("reserved: from the rules when Nova cannot be asked", () => {
    const q = rentalQuote({ gpuCount: 2, storageGb: 100, rates, choice: { rentalType: "reserved", reservationMonths: 6 }, rules });
    expect(q.reserved?.source).toBe("rules");
    expect(q.reserved?.discountPercent.toString()).toBe("20");
    expect(q.reserved?.hourlyAfterDiscount.toString()).toBe("0.896");
    expect(q.reserved?.monthlyCost.toString()).toBe("654.08");
    expect(q.reserved?.deposit.toString()).toBe("654.08");
    expect(q.reserved?.termCost.toString()).toBe("3924.48");
    expect(q.reserved?.cancellationFee.toString()).toBe("981.12");
    expect(() => rentalQuote({ gpuCount: 1, storageGb: 50, rates, choice: { rentalType: "reserved", reservationMonths: 1 } })).toThrow(/rules/);
  });

  it("interruptible: saving against on demand, and the warning", () => {
    const q = rentalQuote({ gpuCount: 2, storageGb: 100, rates, choice: { rentalType: "interruptible", autoRestart: true } });
    expect(q.hourly.total.toString()).toBe("0.46");
    expect(q.interruptible?.savingHourly.toString()).toBe("0.66");
    expect(q.interruptible?.savingPercent.toString()).toBe("58.9");
    expect(q.interruptible?.savingMonthly.toString()).toBe("481.8");
    expect(q.interruptible?.rateKnown).toBe(true);
    expect(q.interruptible?.warning).toBe(INTERRUPTIBLE_WARNING);
    expect(q.interruptible?.warning).toMatch(/on-demand customer needs the GPU/);
  });

  it("interruptible without a known rate assumes the documented least saving", () => {
    const h = interruptibleHourly(1, 0, { gpuHourly: "0.89", storageGbHourly: "0" }, "50");
    expect(h.rateKnown).toBe(false);
    expect(h.total.toString()).toBe("0.445");
  });

  it("serialises every amount as an exact string", () => {
    const json = quoteToJson(rentalQuote({ gpuCount: 1, storageGb: 50, rates, choice: { rentalType: "on_demand" } }));
    expect(json.monthly).toBe("408.8");
    expect((json.hourly as Record<string, unknown>).total).toBe("0.56");
  });
});
