import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { GET as templatesRoute } from "@/app/api/v1/templates/route";
import { GET as vmRoute } from "@/app/api/v1/vms/[vmId]/route";
import { issueSessionToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { stopBoss } from "../jobs/boss";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase } from "../testing/test-db";
import { gpuOffer, newGpuDouble, withGpuDouble } from "../testing/gpu-double";
import { quoteGpuOrder } from "./quote-gpu";

/**
 * GPU orders at the API edge and the accept checks (issue 11, items 2 and 4), provider-neutral:
 * the provider is the PVE simulator's real client wrapped by a test-only double that adds GPU
 * offers and quotes (lib/testing/gpu-double.ts), injected by mocking the registry's providerFor
 * and the kind's capabilities. No worker runs: accepted requests stay reservations.
 */
const double = vi.hoisted(() => ({ current: null as unknown as ReturnType<typeof import("../testing/gpu-double").newGpuDouble> }));
vi.mock("../providers/catalog", async (orig) => {
  const real = await orig<typeof import("../providers/catalog")>();
  const pve = real.PROVIDER_CATALOG.pve;
  return {
    ...real,
    PROVIDER_CATALOG: {
      ...real.PROVIDER_CATALOG,
      pve: {
        ...pve,
        get capabilities() {
          return { ...pve.capabilities, gpus: { offered: true, rentalTypes: ["on_demand", "reserved_1m", "reserved_3m", "reserved_6m", "interruptible"] }, sizes: double.current.sizes };
        },
      },
    },
  };
});
vi.mock("../providers/registry", async (orig) => {
  const real = await orig<typeof import("../providers/registry")>();
  return { ...real, providerFor: (row: Parameters<typeof real.providerFor>[0]) => withGpuDouble(real.providerFor(row), double.current) };
});

let database: { drop: () => Promise<void> };
let sim: PveSimulator;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  database = await useMigratedDatabase();
  sim = await startPveSimulator(demoClusterOptions({ authFailureDelayMs: 0 }));
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }],
    templates: [{ name: "cuda", provider: "lab", node: "pve1", vmid: 9000, public: true, minDiskGb: 20 }],
    plans: [
      { name: "gpu", perVm: { cpuCores: 32, memoryMb: 262144, diskGb: 500, gpus: 4 }, total: { cpuCores: 256, memoryMb: 2000000, diskGb: 5000, vms: 20, gpus: 6, monthlySpend: 3000 } },
      { name: "narrow", perVm: { cpuCores: 32, memoryMb: 262144, diskGb: 500, gpus: 8 }, total: { cpuCores: 256, memoryMb: 2000000, diskGb: 5000, vms: 20, gpus: 8 }, allowedGpuTypes: ["5090"], allowedRentalTypes: ["on_demand", "interruptible"] },
      { name: "roomy", perVm: { cpuCores: 32, memoryMb: 262144, diskGb: 500, gpus: 8 }, total: { cpuCores: 256, memoryMb: 2000000, diskGb: 5000, vms: 50, gpus: 64 } },
    ],
    users: [
      { email: "ada@example.com", password: "long-enough-pw", plan: "gpu" },
      { email: "nat@example.com", password: "long-enough-pw", plan: "narrow" },
      ...Array.from({ length: 6 }, (_, i) => ({ email: `r${i}@example.com`, password: "long-enough-pw", plan: "roomy" })),
    ],
  });
  for (const u of await db().user.findMany()) tokens[u.email.split("@")[0]!] = (await issueSessionToken(u.id)).token;
}, 60_000);

afterAll(async () => {
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

beforeEach(async () => {
  double.current = newGpuDouble();
  double.current.offers = [gpuOffer(), gpuOffer({ gpuType: "5090", label: "RTX 5090", memoryGb: 32, rates: { gpuHour: "0.70", storageGbHour: "0.0002" } })];
  await db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date(), status: "deleted" } });
});

type Body = { code: number; message: string; data: Record<string, unknown> | null };
async function create(body: Record<string, unknown>, as = "ada") {
  const res = await createRoute(
    new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", {
      method: "POST",
      headers: { authorization: `Bearer ${tokens[as]}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as Body };
}
let n = 0;
const base = () => ({ template_id: "cuda", name: `gpu-${++n}`, target: "pve1", cpuCores: 4, memorySize: 8192, diskSize: 50 });
const rows = () => db().vm.count({ where: { deletedAt: null } });

describe("GPU orders at the API", () => {
  it("the seed's request without GPU fields works exactly as before", async () => {
    const r = await create(base());
    expect(r.status).toBe(200);
    expect(r.body.message).toBe("VM created and configured successfully");
    const vm = await db().vm.findFirstOrThrow({ where: { name: r.body.data!.vm_name as string } });
    expect(vm).toMatchObject({ gpuCount: 0, gpuType: null, rentalType: "on_demand", gpuHourly: null, committedCost: null });
  });

  it("each bad combination is a 400 naming it, and writes nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ gpuType: "4090", rentalType: "reserved" }, "reservationMonths (1, 3 or 6) is required when rentalType is reserved"],
      [{ gpuType: "4090", rentalType: "reserved", reservationMonths: 2 }, "reservationMonths must be 1, 3 or 6"],
      [{ gpuType: "4090", rentalType: "reserved", reservationMonths: "3" }, "reservationMonths must be 1, 3 or 6"],
      [{ gpuType: "4090", reservationMonths: 3 }, "reservationMonths applies only when rentalType is reserved"],
      [{ gpuType: "4090", autoRestart: true }, "autoRestart applies only when rentalType is interruptible"],
      [{ gpuType: "4090", rentalType: "spot" }, "rentalType must be on_demand, reserved or interruptible"],
      [{ gpuCount: 2 }, "gpuCount needs gpuType (the GPU type to rent)"],
      [{ rentalType: "interruptible" }, "rentalType interruptible applies only to GPU machines: give gpuType"],
      [{ gpuType: "4090", gpuCount: 0 }, "gpuCount must be greater than 0"],
      [{ gpuType: "4090", gpuCount: 1.5 }, "gpuCount must be a whole number"],
      [{ gpuType: "../x" }, "gpuType must be a GPU type id"],
      [{ gpuType: "a100" }, 'Template "cuda" offers no GPU type a100 (offered: 4090 (RTX 4090), 5090 (RTX 5090))'],
      [{ gpuType: "4090", gpuCount: 3 }, "gpuCount must be one of 1, 2, 4, 8 for 4090 (RTX 4090)"],
    ];
    for (const [extra, message] of cases) {
      const r = await create({ ...base(), ...extra });
      expect(r.status, JSON.stringify(extra)).toBe(400);
      expect(r.body.message, JSON.stringify(extra)).toContain(message);
    }
    double.current.offers = [gpuOffer({ rentalTypes: [] })];
    const r = await create({ ...base(), gpuType: "4090", rentalType: "interruptible" });
    expect(r).toMatchObject({ status: 400, body: { message: "4090 (RTX 4090) cannot be rented as Interruptible here (offered: On demand)" } });
    expect(await rows()).toBe(0);
  });

  it("where sizes are free, the quote is of the asked cores and memory, at the rate the create records", async () => {
    await applyConfig({ prices: { vcpuHour: 0.01, memoryGbHour: 0.005 } });
    try {
      const row = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
      const ada = { id: row.id, email: row.email, role: row.role } as Parameters<typeof quoteGpuOrder>[0];
      const ask = (cpuCores: number, memorySize: number) => quoteGpuOrder(ada, { template_id: "cuda", target: "pve1", diskSize: 50, cpuCores, memorySize, gpuType: "4090", gpuCount: 1, rentalType: "on_demand" });
      // The quote is of the size asked (it used to be 1 core and 1 MB, whatever was asked).
      expect((await ask(1, 1024)).size).toMatchObject({ cpuCores: 1, memoryMb: 1024 });
      const big = await ask(8, 32768);
      expect(big.size).toMatchObject({ cpuCores: 8, memoryMb: 32768 });
      const r = await create({ ...base(), cpuCores: 8, memorySize: 32768, gpuType: "4090", gpuCount: 1 });
      expect(r.status).toBe(200);
      const vm = await db().vm.findFirstOrThrow({ where: { name: r.body.data!.vm_name as string } });
      expect(Number(vm.gpuHourly!.toString()).toFixed(4)).toBe(big.hourly.gpu);
    } finally {
      await applyConfig({ prices: { vcpuHour: 0, memoryGbHour: 0 } });
    }
  });

  it("records the GPUs, the rental terms and the rates; the API shows them", async () => {
    const r = await create({ ...base(), gpuType: "4090", gpuCount: 2, rentalType: "reserved", reservationMonths: 3 });
    expect(r.status).toBe(200);
    const vm = await db().vm.findFirstOrThrow({ where: { name: r.body.data!.vm_name as string } });
    // 2 × 0.35 + 50 GB × 0.0002 = 0.71 per hour; 10 % off for 3 months (the portal's rules: the double has no quote).
    expect(vm.gpuHourly!.toString()).toBe("0.63");
    expect(vm.storageHourly!.toString()).toBe("0.009");
    expect(vm.committedCost!.toString()).toBe("1399.41"); // 0.639 × 730 × 3
    expect(vm).toMatchObject({ gpuType: "4090", gpuCount: 2, rentalType: "reserved_3m", reservationMonths: 3, autoRestart: false });
    const res = await vmRoute(new Request(`http://hangar.test/api/v1/vms/${vm.id}`, { headers: { authorization: `Bearer ${tokens.ada}` } }), { params: Promise.resolve({ vmId: vm.id }) });
    const body = (await res.json()) as Body;
    expect(body.data).toMatchObject({ gpuType: "4090", gpuCount: 2, rentalType: "reserved", reservationMonths: 3, reservationEndsAt: null, rates: { gpuHourly: "0.63", storageHourly: "0.009", totalHourly: "0.639" } });
  });

  it("a provider's own reservation quote wins over the portal's rules", async () => {
    double.current.quote = { currency: "USD", gpuHourly: "0.59", storageHourly: "0.01", totalHourly: "0.6", commitment: "440.00", discountPercent: "15", deposit: "500.00", monthlyCost: "440.00", cancellationFee: "330.00" };
    const r = await create({ ...base(), gpuType: "4090", gpuCount: 2, rentalType: "reserved", reservationMonths: 1 });
    expect(r.status).toBe(200);
    const vm = await db().vm.findFirstOrThrow({ where: { name: r.body.data!.vm_name as string } });
    expect(vm.committedCost!.toString()).toBe("440");
    expect(vm.gpuHourly!.toString()).toBe("0.59");
  });

  it("the plan's GPU types and rental types", async () => {
    let r = await create({ ...base(), gpuType: "4090" }, "nat");
    expect(r).toMatchObject({ status: 400, body: { message: "Your plan does not allow GPU type 4090 (allowed: 5090)" } });
    r = await create({ ...base(), gpuType: "5090", rentalType: "reserved", reservationMonths: 6 }, "nat");
    expect(r).toMatchObject({ status: 400, body: { message: "Your plan does not allow the rental type Reserved 6 months (allowed: On demand, Interruptible)" } });
    r = await create({ ...base(), gpuType: "5090", rentalType: "interruptible", autoRestart: true }, "nat");
    expect(r.status).toBe(200);
    expect(await db().vm.findFirstOrThrow({ where: { name: r.body.data!.vm_name as string } })).toMatchObject({ rentalType: "interruptible", autoRestart: true });
  });

  it("GPUs per VM, GPUs in total, and the monthly spend with a reservation's whole term", async () => {
    let r = await create({ ...base(), gpuType: "4090", gpuCount: 8 });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("Requested resources exceed the per VM limits of your compute resource plan");
    expect(JSON.stringify(r.body.data)).toContain("GPUs: 8 GPUs requested, at most 4 per VM");
    // 4 on demand: 4 × 0.35 + 0.01 = 1.41/h → 1029.30 a month, within 3000.
    expect((await create({ ...base(), gpuType: "4090", gpuCount: 4 })).status).toBe(200);
    r = await create({ ...base(), gpuType: "4090", gpuCount: 4 });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.data)).toContain("GPUs: 4 of 6 GPUs in use, 4 more requested, 2 left");
    // 2 more on demand fit the spend (1029.30 + 518.30), but a 6-month reservation of them does not (its whole term counts).
    r = await create({ ...base(), gpuType: "4090", gpuCount: 2, rentalType: "reserved", reservationMonths: 6 });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("Requested resources exceed the available limits of your compute resource plan");
    expect(JSON.stringify(r.body.data)).toContain('"dimension":"monthlySpend"');
    expect((await create({ ...base(), gpuType: "4090", gpuCount: 2 })).status).toBe(200);
  });

  it("sizes that come with the offer: not above it, and the offer's are recorded", async () => {
    double.current.sizes = "offers";
    double.current.offers = [gpuOffer({ perGpu: { cpuCores: 8, memoryMb: 32768 } })];
    let r = await create({ ...base(), cpuCores: 20, memorySize: 65536, gpuType: "4090", gpuCount: 2 });
    expect(r).toMatchObject({ status: 400, body: { message: "Sizes come with the GPU offer: cpuCores: 2 × RTX 4090 come with 16 vCPU cores (at most 16)" } });
    r = await create({ ...base(), cpuCores: 1, memorySize: 1024, gpuType: "4090", gpuCount: 2 });
    expect(r.status).toBe(200);
    expect(await db().vm.findFirstOrThrow({ where: { name: r.body.data!.vm_name as string } })).toMatchObject({ cpuCores: 16, memoryMb: 65536, gpuCount: 2 });
    r = await create(base());
    expect(r).toMatchObject({ status: 400, body: { message: 'Template "cuda" is rented with GPUs: give gpuType (offered: 4090 (RTX 4090))' } });
  });

  it("GPUs not free: the provider's count less what the portal's accepted requests hold; the 400 says what is free", async () => {
    double.current.offers = [gpuOffer({ total: 8, available: 3 })];
    expect((await create({ ...base(), gpuType: "4090", gpuCount: 2 })).status).toBe(200);
    const r = await create({ ...base(), gpuType: "4090", gpuCount: 2 });
    expect(r).toMatchObject({ status: 400, body: { message: "Not enough RTX 4090 GPUs free: 2 requested, 1 free now" } });
  });

  it("two requests never get the same device: 12 simultaneous requests for 1 GPU each, 4 in the pool", async () => {
    for (let round = 0; round < 3; round++) {
      await db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date(), status: "deleted" } });
      double.current.offers = [gpuOffer({ total: 4, available: 4 })];
      const results = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, Math.random() * 20));
          return create({ ...base(), gpuType: "4090", gpuCount: 1 }, `r${i % 6}`);
        }),
      );
      expect(results.filter((r) => r.status === 200).length, `round ${round}`).toBe(4);
      for (const r of results.filter((x) => x.status !== 200)) expect(r.body.message).toMatch(/^Not enough RTX 4090 GPUs free: 1 requested, 0 free now$/);
      expect((await db().vm.aggregate({ where: { deletedAt: null, gpuType: "4090" }, _sum: { gpuCount: true } }))._sum.gpuCount).toBe(4);
    }
  }, 120_000);

  it("GET /api/v1/templates lists a GPU template's offers with what is free", async () => {
    double.current.offers = [gpuOffer({ total: 4, available: 4, perGpu: { cpuCores: 8, memoryMb: 32768 } })];
    expect((await create({ ...base(), gpuType: "4090", gpuCount: 1 })).status).toBe(200);
    const res = await templatesRoute(new Request("http://hangar.test/api/v1/templates", { headers: { authorization: `Bearer ${tokens.ada}` } }), { params: Promise.resolve({}) });
    const body = (await res.json()) as { data: { name: string; offers: unknown[] }[] };
    expect(body.data.find((t) => t.name === "cuda")!.offers).toEqual([
      expect.objectContaining({
        gpuType: "4090",
        label: "RTX 4090",
        memoryGb: 24,
        gpuCount: [1, 2, 4, 8],
        cpuCores: 8,
        memorySize: 32768,
        rates: { gpuHourly: "0.35", storageGbHourly: "0.0002", currency: "USD", source: "provider" },
        available: 3,
        total: 4,
        rentals: [{ rentalType: "on_demand" }, { rentalType: "reserved", reservationMonths: 1 }, { rentalType: "reserved", reservationMonths: 3 }, { rentalType: "reserved", reservationMonths: 6 }, { rentalType: "interruptible" }],
      }),
    ]);
  });
});
