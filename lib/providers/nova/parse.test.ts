import { describe, expect, it } from "vitest";
import { parseOffers, parsePricing, parseReservationQuote, parseVm, parseVmList } from "./parse";

describe("tolerant offer parsing", () => {
  it("reads the third-party collector's fields, prices as exact decimal strings", () => {
    const [offer] = parseOffers([{ gpu_type: "pro6000", gpu_count: 4, gpu_ram_mb: 98304, gpu_price_hourly: 1.85, interruptible_rate: 0.74, available: 3, location: "US-East" }]);
    expect(offer).toMatchObject({ gpuType: "pro6000", gpuCount: 4, gpuRamMb: 98304, gpuHourly: "1.85", interruptibleHourly: "0.74", availableCount: 3, available: true, location: "US-East" });
  });

  it("keeps gpu_type opaque: any name an offer carries is accepted", () => {
    const offers = parseOffers([{ gpu_type: "h100-sxm" }, { gpu_type: "6000pro" }, { gpu: "B200" }]);
    expect(offers.map((o) => o.gpuType)).toEqual(["h100-sxm", "6000pro", "B200"]);
  });

  it("accepts a wrapped list, strings for numbers, booleans for availability, and skips junk", () => {
    const offers = parseOffers({ offers: [{ gpu_type: "4090", gpu_count: "8", gpu_price_hourly: "$0.55", available: false, node: "vm01", extra: { x: 1 } }, "junk", { no_type: 1 }, null] });
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ gpuType: "4090", gpuCount: 8, gpuHourly: "0.55", available: false, availableCount: 0, node: "vm01" });
    expect(offers[0]?.raw.extra).toEqual({ x: 1 });
    expect(parseOffers([{ gpu_type: "5090", available: true }])[0]).toMatchObject({ available: true, availableCount: undefined });
  });

  it("refuses a reply that is no list at all", () => {
    expect(() => parseOffers({ detail: "x" })).toThrow(/Unexpected Nova Cloud response to GET \/search/);
  });

  it("reads /pricing as a flat map or per-type objects, with guessed extras", () => {
    expect(parsePricing({ gpus: { "5090": 0.89, "4090": "0.55" } }).gpus).toEqual({ "5090": "0.89", "4090": "0.55" });
    const p = parsePricing({ gpus: { "6000pro": { on_demand: 1.85, interruptible: 0.74 } }, storage_gb_hour: 0.0002, currency: "USD", other: 1 });
    expect(p.gpus).toEqual({ "6000pro": "1.85" });
    expect(p.interruptibleGpus).toEqual({ "6000pro": "0.74" });
    expect(p.storageGbHourly).toBe("0.0002");
    expect(p.raw.other).toBe(1);
    expect(parsePricing({}).gpus).toEqual({});
  });
});

describe("VM object parsing", () => {
  const doc = {
    id: "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    vmid: 123,
    user_id: 123,
    node: "vm01",
    instance_label: null,
    gpu_type: "4090",
    gpu_count: 2,
    storage_gb: 100,
    ram_gb: 64,
    cpu_cores: 12,
    ip_address: null,
    status: "creating",
    created_at: "2023-11-07T05:31:56Z",
    started_at: null,
    stopped_at: null,
    rental_type: "on_demand",
    reservation_id: null,
    auto_restart: null,
    hourly_rate: 1.12,
    gpu_hourly_rate: 1.1,
    storage_hourly_rate: 0.02,
    cpu_percent: 0,
    ram_percent: 0,
    cpu_model: null,
    pcie_gen: null,
  };

  it("reads the documented object; rates become decimal strings", () => {
    const vm = parseVm(doc);
    expect(vm).toMatchObject({ id: doc.id, vmid: 123, status: "creating", ipAddress: null, cpuCores: 12, ramGb: 64, hourlyRate: "1.12", gpuHourlyRate: "1.1", storageHourlyRate: "0.02" });
  });

  it("unwraps a VM sent inside an object", () => {
    expect(parseVm({ message: "VM creation started", vm: doc }).id).toBe(doc.id);
  });

  it("keeps unknown statuses and requires only id and status", () => {
    expect(parseVm({ id: "a", status: "Migrating" }).status).toBe("migrating");
    expect(() => parseVm({ status: "running" })).toThrow(/Unexpected/);
  });

  it("reads GET /vms bare or wrapped", () => {
    expect(parseVmList([doc])).toHaveLength(1);
    expect(parseVmList({ items: [doc, { bad: 1 }], total: 1 })).toHaveLength(1);
  });

  it("reads the reservation quote", () => {
    expect(parseReservationQuote({ discount_percent: 10, deposit_required: 735.84, monthly_cost: 735.84, hourly_rate_after_discount: 1.008, cancellation_fee_25_percent: 551.88 })).toEqual({
      discountPercent: "10",
      depositRequired: "735.84",
      monthlyCost: "735.84",
      hourlyRateAfterDiscount: "1.008",
      cancellationFee: "551.88",
    });
    expect(() => parseReservationQuote({ discount_percent: 10 })).toThrow(/reservations\/calculate/);
  });
});
