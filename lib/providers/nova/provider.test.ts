import { afterEach, describe, expect, it } from "vitest";
import type { RentalType } from "../../schemas/catalog";
import { ProviderError, QUOTE_KEYS, type CreateRequest, type ProviderStep, type StepContext } from "../types";
import { novaConnectionSettings, novaCreateOptions, novaRefSchema, novaTemplateFields, novaTemplateRef, novaVmRef } from "./module-schemas";
import { novaMetadata } from "./metadata";
import { DEFAULT_NOVA_TIMING, NovaProvider, novaRental } from "./provider";
import { startNovaSimulator, type NovaSimulator } from "./simulator";
import { newEd25519PublicKey } from "./test-helpers";

/**
 * The Nova provider kind against the simulator (plain HTTP): what each create sends (every seed
 * field, the rental type and reservation months), Nova's refusals as neutral kinds, the
 * precheck's words, offers and quotes. Steps run with an in-memory step context.
 */
const API_KEY = "nv_live_providertest";
const FAST = { ...DEFAULT_NOVA_TIMING, pollMs: 20, maxPollMs: 50, readyTimeoutMs: 5_000, actionTimeoutMs: 5_000, offersCacheMs: 0, pricingCacheMs: 0 };

let sim: NovaSimulator;
let provider: NovaProvider;

async function setup(balance = "1000.00") {
  sim = await startNovaSimulator({ balance, apiKeys: [API_KEY], durations: { creatingMs: 20, startingMs: 20, stoppingMs: 20, purgeMs: 40 } });
  provider = new NovaProvider({ name: "nova", kind: "nova", baseUrl: sim.url, credentials: { apiKey: API_KEY }, tls: { verify: true }, settings: {} }, FAST);
}

afterEach(async () => {
  provider?.close();
  await sim?.stop();
});

function request(changes: Partial<CreateRequest> & { gpus?: Record<string, number>; rental?: { type: RentalType; autoRestart?: boolean } } = {}): CreateRequest {
  const { gpus, ...rest } = changes;
  return {
    name: "gpu-1",
    template: { ref: novaTemplateRef(102), settings: {}, name: "stable-diffusion" },
    size: { cpuCores: 2, memoryMb: 4096, diskGb: 100, gpus: gpus ?? {} },
    options: { target: "vm01" },
    cloudInit: { sshKeys: [newEd25519PublicKey("ada@laptop")] },
    ...rest,
  };
}

/** Runs steps in order, as the task engine would (facts kept between steps). */
async function run(steps: ProviderStep[], facts: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const ctx: StepContext = {
    get facts() {
      return facts;
    },
    remember: async (more) => void Object.assign(facts, more),
    recordProviderTask: async () => undefined,
    log: async (l) => void lines.push(...(typeof l === "string" ? [l] : l.map((x) => x.t))),
  };
  for (const step of steps) await step.run(ctx);
  return { facts, lines };
}

/** Precheck, accept and create, as the portal does; returns the resolved request and the facts. */
async function rent(req: CreateRequest) {
  const checked = await provider.precheck(req);
  expect(checked.problems).toEqual([]);
  const resolved = { ...req, options: checked.options };
  await provider.accept(resolved);
  const { facts } = await run(provider.createSteps(resolved));
  return { resolved, facts, result: provider.createResult(resolved, null, facts) };
}

const createBodies = () => sim.requests.filter((r) => r.method === "POST" && r.path === "/vms").map((r) => r.body);

describe("Nova provider: what a create sends", () => {
  it("on demand with an SSH key: the key is uploaded once, then POST /vms with every field; the result is Nova's size", async () => {
    await setup();
    const key1 = newEd25519PublicKey("ada@laptop");
    const { result } = await rent(request({ gpus: { "4090": 2 }, cloudInit: { sshKeys: [key1] } }));
    const key = sim.state.sshKeys[0]!;
    expect(createBodies()).toEqual([{ node: "vm01", gpu_type: "4090", gpu_count: 2, storage_gb: 100, template_vmid: 102, rental_type: "on_demand", auth_method: "ssh_key", ssh_key_id: key.id }]);
    expect(result.size).toEqual({ cpuCores: 12, memoryMb: 64 * 1024, diskGb: 100, gpus: { "4090": 2 } });
    expect(result.addresses[0]).toMatch(/^203\.0\.113\./);
    expect(result.rates).toEqual({ gpuHour: "1.1", storageHour: "0.02", totalHour: "1.12" });
    expect(result.notices[0]).toMatch(/offer's 12 cores and 65536 MB/);
    // A second rental with the same key reuses it (an account holds at most 5).
    await rent(request({ gpus: { "4090": 1 }, cloudInit: { sshKeys: [key1] } }));
    expect(sim.state.sshKeys).toHaveLength(1);
  });

  it.each([
    ["reserved_1m", { rental_type: "reserved", reservation_months: 1 }],
    ["reserved_3m", { rental_type: "reserved", reservation_months: 3 }],
    ["reserved_6m", { rental_type: "reserved", reservation_months: 6 }],
    ["interruptible", { rental_type: "interruptible" }],
  ] as const)("%s: sends the rental type (and reservation months)", async (type, fields) => {
    await setup();
    await rent(request({ gpus: { "5090": 1 }, rental: { type } }));
    const body = createBodies()[0] as Record<string, unknown>;
    expect(body).toMatchObject({ node: "vm01", gpu_type: "5090", gpu_count: 1, ...fields });
    if (type === "interruptible") expect(body).not.toHaveProperty("reservation_months");
    expect(novaRental({ type })).toEqual(fields);
  });

  it("password login sends auth_method password and no key", async () => {
    await setup();
    await rent(request({ cloudInit: { password: "twelve-chars-ok" } }));
    expect(createBodies()[0]).toMatchObject({ auth_method: "password", password: "twelve-chars-ok" });
    expect(createBodies()[0]).not.toHaveProperty("ssh_key_id");
    expect(sim.state.sshKeys).toHaveLength(0);
  });

  it("a retried rent step never rents twice: the VM an earlier attempt made is found by its shape", async () => {
    await setup();
    const req = request({ gpus: { "4090": 1 } });
    const checked = await provider.precheck(req);
    const resolved = { ...req, options: checked.options };
    const [keyStep, rentStep] = provider.createSteps(resolved);
    const { facts } = await run([keyStep!, rentStep!]);
    const first = facts.vmId;
    // The worker died after Nova answered but before the id was remembered.
    delete facts.vmId;
    await run([rentStep!], facts);
    expect(facts.vmId).toBe(first);
    expect(createBodies()).toHaveLength(1);
  });
});

describe("Nova provider: refusals as the user reads them", () => {
  it("a balance too low is a payment failure in Nova's own words", async () => {
    await setup("0.50");
    const req = request({ gpus: { "4090": 1 } });
    const checked = await provider.precheck(req);
    const error = await run(provider.createSteps({ ...req, options: checked.options })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("payment");
    expect((error as ProviderError).message).toMatch(/^Insufficient balance\. Required: \$0\.57, Available: \$0\.50$/);
  });

  it("GPUs taken meanwhile: a capacity failure", async () => {
    await setup();
    const req = request({ gpus: { "4090": 4 } });
    const checked = await provider.precheck(req);
    sim.setExternalUse("vm01", "4090", 6);
    const error = (await run(provider.createSteps({ ...req, options: checked.options })).catch((e: unknown) => e)) as ProviderError;
    expect(error.kind).toBe("capacity");
  });

  it("a rental that Nova reports failed ends the create, and what was rented is known for the clean-up", async () => {
    await setup();
    sim.faults.failNextVm("failed");
    const req = request({ gpus: { "4090": 1 } });
    const checked = await provider.precheck(req);
    const resolved = { ...req, options: checked.options };
    const facts: Record<string, unknown> = {};
    const error = (await run(provider.createSteps(resolved), facts).catch((e: unknown) => e)) as ProviderError;
    expect(error.kind).toBe("task_failed");
    expect(error.message).toMatch(/failed while starting/);
    const made = provider.madeRef(resolved, null, facts);
    expect(made?.id).toBe(facts.vmId);
    await run(provider.cleanupSteps(made!));
    const left = sim.state.vms.get(made!.id);
    expect(left === undefined || left.status === "destroyed").toBe(true);
  });

  it("the precheck says what is wrong and what would work", async () => {
    await setup();
    sim.setExternalUse("vm02", "4090", 3);
    const problems = async (req: CreateRequest) => (await provider.precheck(req)).problems;
    expect(await problems(request({ gpus: { "4090": 2 }, options: { target: "vm02" } }))).toEqual(["Node vm02 has 1 free 4090 GPUs now, not 2 (sold out); vm01 has 2 free"]);
    expect(await problems(request({ gpus: { "4090": 3 } }))).toEqual(["Nova Cloud rents 1, 2, 4 or 8 GPUs per machine, not 3"]);
    expect(await problems(request({ gpus: { a100: 1 } }))).toEqual(['Nova Cloud offers no GPU type "a100"; it offers 4090, 5090, 6000pro']);
    expect(await problems(request({ gpus: { "6000pro": 1 } }))).toEqual(["Node vm01 has no 6000pro GPUs; 6000pro GPUs are on vm02"]);
    expect(await problems(request({ gpus: { "4090": 1 }, options: { target: "vm09" } }))).toEqual(['Nova Cloud has no node "vm09"; its nodes are vm01, vm02']);
    expect(await problems(request({ gpus: { "4090": 1 }, size: { cpuCores: 7, memoryMb: 40_000, diskGb: 40, gpus: { "4090": 1 } } }))).toEqual([
      "cpuCores must not exceed 6: 1× 4090 comes with 6 cores",
      "memorySize must not exceed 32768 MB: 1× 4090 comes with 32 GB",
      "diskSize must be at least 50 GB on Nova Cloud",
    ]);
    expect(await problems(request({ cloudInit: { password: "short-pw" } }))).toEqual(["The password must be at least 12 characters on Nova Cloud"]);
    // The wizard asks for what the precheck will take (its hint and check read the capability).
    const shortest = novaMetadata.capabilities.cloudInit.minPasswordLength;
    expect(shortest).toBe(12);
    expect(await problems(request({ cloudInit: { password: "x".repeat(shortest - 1) } }))).toEqual(["The password must be at least 12 characters on Nova Cloud"]);
    expect(await problems(request({ cloudInit: { password: "x".repeat(shortest) } }))).toEqual([]);
    expect(await problems(request({ cloudInit: {} }))).toEqual(["Nova Cloud needs an SSH key or a password (at least 12 characters) to log in"]);
    // Without a target ("auto"), the node with the most free GPUs of the type is taken.
    expect((await provider.precheck(request({ gpus: { "4090": 1 }, options: { target: "auto" } }))).options).toEqual({ target: "vm01", gpuType: "4090", gpuCount: 1 });
  });

  it("an account whose 5 key slots hold other keys is refused before anything is rented", async () => {
    await setup();
    for (let i = 0; i < 5; i++) sim.state.addSshKey(newEd25519PublicKey(`other-${i}`), undefined);
    expect((await provider.precheck(request())).problems[0]).toMatch(/already holds 5 SSH keys.*none of them is yours/);
  });
});

describe("Nova provider: state, actions, offers and quotes", () => {
  it("reports an interrupted rental as interrupted, starts it again, stops and deletes it", async () => {
    await setup();
    const { result } = await rent(request({ gpus: { "4090": 1 }, rental: { type: "interruptible" } }));
    expect((await provider.status(result.ref)).state).toBe("running");
    sim.interrupt(result.ref.id);
    expect(await provider.status(result.ref)).toMatchObject({ state: "interrupted", cpus: 6, memoryMb: 32768, diskGb: 100 });
    await run(provider.actionSteps("start", result.ref));
    expect((await provider.status(result.ref)).state).toBe("running");
    await run(provider.actionSteps("stop", result.ref));
    expect((await provider.status(result.ref)).state).toBe("stopped");
    await run(provider.actionSteps("reboot", result.ref));
    expect((await provider.status(result.ref)).state).toBe("running");
    await run(provider.actionSteps("delete", result.ref));
    await expect(provider.status(result.ref)).rejects.toMatchObject({ kind: "not_found" });
    // Deleting again is fine (a retried job).
    await run(provider.actionSteps("delete", result.ref));
  });

  it("offers per GPU type with counts, availability, per-GPU sizes, rates and all five rental types", async () => {
    await setup();
    sim.setExternalUse("vm01", "4090", 5);
    const offers = await provider.gpuOffers(request().template);
    expect(offers.find((o) => o.gpuType === "4090")).toEqual({
      gpuType: "4090",
      label: "RTX 4090",
      memoryGb: 24,
      counts: [1, 2, 4, 8],
      total: 12,
      available: 7,
      placements: ["vm01", "vm02"],
      perGpu: { cpuCores: 6, memoryMb: 32768 },
      rates: { gpuHour: "0.55", storageGbHour: "0.0002", interruptibleGpuHour: "0.22", currency: "USD" },
      rentalTypes: ["on_demand", "reserved_1m", "reserved_3m", "reserved_6m", "interruptible"],
    });
    expect(offers.find((o) => o.gpuType === "6000pro")).toMatchObject({ label: "RTX PRO 6000", counts: [1, 2, 4], placements: ["vm02"] });
    expect((await provider.placements(request().template.ref)).map((p) => p.name)).toEqual(["vm01", "vm02"]);
  });

  it("quotes in decimal strings: Nova's reservation numbers, the interruptible saving", async () => {
    await setup();
    const reserved = await provider.quote(request({ gpus: { "4090": 2 }, rental: { type: "reserved_3m" } }));
    expect(Object.keys(reserved).sort()).toEqual([...QUOTE_KEYS].sort());
    // 2 × 0.55 + 100 × 0.0002 = 1.12 per hour; Nova: 10 % off for 3 months.
    expect(reserved).toMatchObject({ onDemandHourly: "1.12", discountPercent: "10", source: "provider", totalHourly: "1.008", monthlyCost: "735.84", warning: null });
    expect(reserved.deposit).not.toBeNull();
    const interruptible = await provider.quote(request({ gpus: { "4090": 2 }, rental: { type: "interruptible" } }));
    // 2 × 0.22 + 0.02 = 0.46 per hour, saving 0.66.
    expect(interruptible).toMatchObject({ totalHourly: "0.46", savingHourly: "0.66", deposit: null, monthly: "335.8" });
    expect(interruptible.warning).toMatch(/on-demand customer needs the GPU/);
    const onDemand = await provider.quote(request({ gpus: { "4090": 1 } }));
    expect(onDemand).toMatchObject({ gpuHourly: "0.55", storageHourly: "0.02", totalHourly: "0.57", monthly: "416.1", commitment: "416.1", currency: "USD" });
  });
});

describe("Nova module schemas", () => {
  it("templates as configuration: nova.templateVmid", () => {
    expect(novaTemplateFields.parse({ nova: { templateVmid: 102 } })).toEqual({ ref: { id: "102", data: { templateVmid: 102 } }, settings: {} });
    expect(novaTemplateFields.safeParse({ nova: { templateVmid: "102" } }).success).toBe(false);
    expect(novaTemplateFields.safeParse({ node: "pve1", vmid: 9000 }).success).toBe(false);
  });

  it("references of templates and VMs round-trip; options and settings are checked", () => {
    expect(novaRefSchema.parse(novaTemplateRef(104))).toEqual(novaTemplateRef(104));
    expect(novaRefSchema.parse(novaVmRef("3c90c3cc-0d44-4b50-8888-8dd25736052a", "vm01"))).toEqual(novaVmRef("3c90c3cc-0d44-4b50-8888-8dd25736052a", "vm01"));
    expect(novaRefSchema.safeParse({ id: "1", data: { templateVmid: 2 } }).success).toBe(false);
    expect(novaCreateOptions.parse({ target: "vm01", storage: "NFS" })).toEqual({ target: "vm01" });
    expect(novaCreateOptions.safeParse({ target: "../x" }).success).toBe(false);
    expect(novaConnectionSettings.parse({ storageGbHourly: "0.0002" })).toEqual({ storageGbHourly: "0.0002" });
    expect(novaConnectionSettings.parse({ storageGbHourly: "" })).toEqual({});
    expect(novaConnectionSettings.safeParse({ storageGbHourly: "cheap" }).success).toBe(false);
    expect(novaConnectionSettings.safeParse({ other: 1 }).success).toBe(false);
  });
});
