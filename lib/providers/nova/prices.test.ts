import { afterEach, describe, expect, it } from "vitest";
import { NovaClient } from "./client";
import { parseOffers, parsePricing } from "./parse";
import { gpuChoices, largestCount, novaRates, offerSize, quoteNovaRental } from "./prices";
import { startNovaSimulator, type NovaSimulator } from "./simulator";

let sim: NovaSimulator | undefined;
let client: NovaClient | undefined;
afterEach(async () => {
  client?.close();
  await sim?.stop();
  sim = undefined;
  client = undefined;
});

async function setup() {
  sim = await startNovaSimulator({ apiKeys: ["nv_p"], clock: () => 0 });
  client = new NovaClient({ baseUrl: sim.url, auth: { type: "api_key", apiKey: "nv_p" }, retry: { baseDelayMs: 5, maxDelayMs: 10, attempts: 2 } });
  return { sim, client };
}

describe("GPU choices from the catalogue", () => {
  it("groups offers by their own GPU names, with free GPUs per node and the largest count possible now", () => {
    const offers = parseOffers([
      { gpu_type: "4090", node: "vm01", available: 3, gpu_price_hourly: 0.55, gpu_ram_mb: 24576 },
      { gpu_type: "4090", node: "vm02", available: 0 },
      { gpu_type: "pro6000", node: "vm02", available: 1 },
      { gpu_type: "b200", node: "vm03", available: false },
    ]);
    const choices = gpuChoices(offers, parsePricing({ gpus: { pro6000: 1.85 } }));
    expect(choices.map((c) => [c.gpuType, c.maxCount, c.gpuHourly])).toEqual([
      ["4090", 2, "0.55"],
      ["pro6000", 1, "1.85"],
      ["b200", 0, undefined],
    ]);
    expect(choices[0]?.nodes).toEqual([
      { node: "vm01", location: undefined, free: 3, available: true },
      { node: "vm02", location: undefined, free: 0, available: false },
    ]);
    expect([0, 1, 3, 4, 7, 8, 20].map(largestCount)).toEqual([0, 1, 2, 4, 4, 8, 8]);
  });

  it("shows the sizes Nova builds from the offer", () => {
    const [perGpu, total] = parseOffers([
      { gpu_type: "5090", cpu_cores_per_gpu: 8, ram_gb_per_gpu: 48 },
      { gpu_type: "5090", gpu_count: 8, cpu_cores: 64, ram_gb: 384 },
    ]);
    expect(offerSize(perGpu!, 2)).toEqual({ cpuCores: 16, ramGb: 96 });
    expect(offerSize(total!, 4)).toEqual({ cpuCores: 32, ramGb: 192 });
  });

  it("needs a storage price from Nova or the configuration, and says so", () => {
    const offers = parseOffers([{ gpu_type: "4090", gpu_price_hourly: 0.55 }]);
    expect(() => novaRates("4090", { offers })).toThrow("Nova Cloud does not publish its storage price: set the provider's storage price per GB-hour.");
    expect(novaRates("4090", { offers, storageGbHourly: "0.0001" })).toEqual({ gpuHourly: "0.55", storageGbHourly: "0.0001" });
    expect(() => novaRates("h100", { offers, storageGbHourly: "0.0001" })).toThrow("Nova Cloud has no price for GPU type h100.");
  });
});

describe("quotes against the simulator", () => {
  it("reserved: Nova's calculation; interruptible: the saving; on demand: the plain price", async () => {
    const { client } = await setup();
    const reserved = await quoteNovaRental(client, { gpuType: "4090", gpuCount: 2, storageGb: 100, choice: { rentalType: "reserved", reservationMonths: 3 } });
    expect(reserved.reserved).toMatchObject({ source: "provider" });
    expect(reserved.reserved?.deposit.toString()).toBe("735.84");
    expect(reserved.reserved?.cancellationFee.toString()).toBe("551.88");
    const interruptible = await quoteNovaRental(client, { gpuType: "4090", gpuCount: 2, storageGb: 100, choice: { rentalType: "interruptible" } });
    expect(interruptible.hourly.total.toString()).toBe("0.46");
    expect(interruptible.interruptible?.rateKnown).toBe(true);
    const onDemand = await quoteNovaRental(client, { gpuType: "4090", gpuCount: 2, storageGb: 100, choice: { rentalType: "on_demand" } });
    expect(onDemand.hourly.total.toString()).toBe("1.12");
    expect(onDemand.monthly.toString()).toBe("817.6");
  });

  it("falls back to the documented rules when the calculation cannot answer, and passes refusals on", async () => {
    const { sim, client } = await setup();
    sim.faults.failNext({ status: 503, path: "/reservations/calculate", count: 5 });
    const q = await quoteNovaRental(client, { gpuType: "4090", gpuCount: 2, storageGb: 100, choice: { rentalType: "reserved", reservationMonths: 6 } });
    expect(q.reserved?.source).toBe("rules");
    expect(q.reserved?.discountPercent.toString()).toBe("20");
    sim.faults.reset();
    await expect(quoteNovaRental(client, { gpuType: "4090", gpuCount: 2, storageGb: 10, choice: { rentalType: "reserved", reservationMonths: 1 } })).rejects.toMatchObject({ novaKind: "validation" });
  });
});
