import { describe, expect, it } from "vitest";
import { NO_PRICES } from "../pricing/cost";
import { parseGpuOrder } from "../schemas/gpu-order";
import type { ProviderClient } from "../providers/types";
import { gpuOffer } from "../testing/gpu-double";
import { freeGpus, gpuPoolProblem } from "../quota/gpu-pool";
import { offerRates, priceGpuOrder, reservationQuoteFrom, resolveOffer } from "./gpu-offer";

const caps = { actions: [], placement: "region", placementLabel: "Region", gpus: { offered: true, rentalTypes: [] }, sizes: "free", cloudInit: { maxSshKeys: 1, userData: true, minPasswordLength: 8 } } as const;
const size = { cpuCores: 4, memoryMb: 8192, diskGb: 100, gpus: {} };
const order = (raw: Record<string, unknown>) => {
  const r = parseGpuOrder(raw);
  if (!r.ok) throw new Error(r.message);
  return r.order;
};
const gpuOrder = (raw: Record<string, unknown>) => {
  const o = order(raw);
  if (!o.gpu) throw new Error("no GPU");
  return { ...o, gpu: o.gpu };
};

describe("GPU orders", () => {
  it("parses the API's fields: gpuCount defaults to 1, reservations carry their term", () => {
    expect(order({})).toEqual({ gpu: null, rental: { rentalType: "on_demand" }, planRentalType: "on_demand" });
    expect(order({ gpuType: "4090" }).gpu).toEqual({ type: "4090", count: 1 });
    expect(order({ gpuType: "4090", gpuCount: 2, rentalType: "reserved", reservationMonths: 6 }).planRentalType).toBe("reserved_6m");
    expect(parseGpuOrder({ gpuType: "4090", rentalType: "reserved", reservationMonths: 6, autoRestart: true })).toEqual({ ok: false, message: "autoRestart applies only when rentalType is interruptible" });
  });

  it("the offer's sizes replace the asked-for ones where sizes come with offers", () => {
    const offers = [gpuOffer({ perGpu: { cpuCores: 8, memoryMb: 32768 } })];
    const got = resolveOffer({ templateName: "t", capabilities: { ...caps, sizes: "offers" }, plan: null, offers, order: order({ gpuType: "4090", gpuCount: 4 }), size });
    expect(got!.size).toEqual({ cpuCores: 32, memoryMb: 131072, diskGb: 100, gpus: { "4090": 4 } });
    // Free sizes: the request's, with the GPUs.
    expect(resolveOffer({ templateName: "t", capabilities: caps, plan: null, offers, order: order({ gpuType: "4090" }), size })!.size).toEqual({ ...size, gpus: { "4090": 1 } });
    expect(resolveOffer({ templateName: "t", capabilities: caps, plan: null, offers, order: order({}), size })).toBeNull();
  });

  it("free devices: the provider's free less the portal's pending requests, within the pool", () => {
    expect(freeGpus({ total: 8, available: 5 }, { all: 2, pending: 1 })).toBe(4);
    expect(freeGpus({ total: 4, available: 5 }, { all: 3, pending: 0 })).toBe(1);
    expect(freeGpus({ total: 4, available: 0 }, { all: 0, pending: 2 })).toBe(0);
    expect(gpuPoolProblem({ total: 4, available: 4, label: "RTX 4090" }, { all: 3, pending: 3 }, 2)).toBe("Not enough RTX 4090 GPUs free: 2 requested, 1 free now");
  });

  it("prices in decimals: provider rates, else the price table (disk per month over 730 h, vCPU and memory while running)", async () => {
    const provider = {} as ProviderClient;
    const p = await priceGpuOrder(provider, null, gpuOffer(), gpuOrder({ gpuType: "4090", gpuCount: 2, rentalType: "interruptible" }), { ...size, diskGb: 50 }, NO_PRICES);
    expect(p.gpuHourly.toString()).toBe("0.35"); // half of 0.70 without an interruptible rate
    expect(p.storageHourly.toString()).toBe("0.01");
    expect(p.committed.toString()).toBe("262.8");
    const table = { vcpuHour: 0.01, memoryGbHour: 0.005, diskGbMonth: 0.1, gpuHour: { "4090": 0.5 } };
    const { rates, runningExtraHourly } = offerRates(gpuOffer({ rates: undefined }), { cpuCores: 4, memoryMb: 8192, diskGb: 73, gpus: {} }, table);
    expect(rates.gpuHourly.toString()).toBe("0.5");
    expect(runningExtraHourly.toString()).toBe("0.08");
  });

  it("reads a provider's reservation quote (QUOTE_KEYS), or none when a field is missing", () => {
    expect(reservationQuoteFrom({ discountPercent: "10", deposit: "1", monthlyCost: "2", totalHourly: "0.1", cancellationFee: "3" })).toEqual({
      discountPercent: "10",
      depositRequired: "1",
      monthlyCost: "2",
      hourlyRateAfterDiscount: "0.1",
      cancellationFee: "3",
    });
    expect(reservationQuoteFrom({ discountPercent: "10", deposit: "1", monthlyCost: "2", totalHourly: "0.1", cancellationFee: null })).toBeNull();
  });
});
