import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CreateRequest, StepContext } from "../types";
import { chooseMappings, hostpciEntries, isQ35, typeSummary, type PciUsage } from "./gpus";
import { pveConnectionSettings, pveRef } from "./module-schemas";
import { PveProvider } from "./provider";
import type { PveSimulator, SimPciMappingSpec } from "./simulator";
import { startTestSim, TOKEN_ID, TOKEN_SECRET } from "./simulator/test-helpers";

/** Two RTX 4090s on pve1 in one mapping, one more on pve1 in a second mapping, one on pve2; an A100 on pve2 not mapped. */
const MAPPINGS: SimPciMappingSpec[] = [
  {
    id: "rtx4090",
    description: "RTX 4090",
    devices: [
      { node: "pve1", path: "0000:01:00", id: "10de:2684", iommugroup: 12 },
      { node: "pve1", path: "0000:02:00", id: "10de:2684", iommugroup: 13 },
      { node: "pve2", path: "0000:41:00", id: "10de:2684", iommugroup: 30 },
    ],
  },
  { id: "rtx4090-b", description: "RTX 4090 (slot 3)", devices: [{ node: "pve1", path: "0000:03:00", id: "10de:2684", iommugroup: 15 }] },
  { id: "a100", description: "A100", devices: [{ node: "pve2", path: "0000:81:00", id: "10de:20b5" }] },
];

describe("hostpci entries and machine types", () => {
  it("reads mapping, host and pcie of each hostpciN, in slot order", () => {
    expect(hostpciEntries({ hostpci1: "0000:03:00,pcie=1", hostpci0: "mapping=rtx4090,pcie=1", name: "x", hostpci10: "host=0000:05:00.0" })).toEqual([
      { key: "hostpci0", mapping: "rtx4090", pcie: true },
      { key: "hostpci1", host: "0000:03:00", pcie: true },
      { key: "hostpci10", host: "0000:05:00.0", pcie: false },
    ]);
  });

  it("knows a q35 machine in each of PVE's spellings", () => {
    expect(["q35", "pc-q35-9.0", "pc-q35-8.1+pve0", "type=q35,viommu=virtio"].map(isQ35)).toEqual([true, true, true, true]);
    expect([undefined, "pc", "pc-i440fx-9.0", "virt"].map(isQ35)).toEqual([false, false, false, false]);
  });

  it("counts devices per node, frees what running VMs do not hold, and chooses the mapping with the most free devices", () => {
    const usage: PciUsage = {
      mappings: [
        { id: "a", devices: [{ node: "pve1", path: "0000:01:00" }, { node: "pve1", path: "0000:02:00" }, { node: "pve2", path: "0000:41:00" }] },
        { id: "b", devices: [{ node: "pve1", path: "0000:03:00" }, { node: "pve1", path: "0000:01:00" }] },
      ],
      running: new Map([["a", new Map([["pve1", 1]])]]),
      configured: new Map([["b", new Map([["pve1", 1]])]]),
      rawPaths: new Map([["pve2", new Set(["0000:41:00"])]]),
    };
    const summary = typeSummary(usage, ["a", "b"]);
    expect(summary.total).toBe(4); // 0000:01:00 on pve1 is in both mappings: counted once
    expect(Object.fromEntries(summary.perNode)).toEqual({ pve1: { total: 3, free: 3 }, pve2: { total: 1, free: 0 } });
    // a has 1 free on pve1, b has 2 free but one VM is already configured to ask for b: b first, then a tie broken by spare devices.
    expect(chooseMappings(usage, ["a", "b"], "pve1", 2, "RTX 4090")).toEqual(["b", "a"]);
    expect(() => chooseMappings(usage, ["a", "b"], "pve2", 1, "RTX 4090")).toThrow("No free RTX 4090 GPU on pve2 for 1 device (0 free)");
  });
});

describe("gpuMappings setting", () => {
  it("takes a mapping (configuration file) or text (admin form), and refuses ids PVE would not have", () => {
    expect(pveConnectionSettings.parse({ gpuMappings: { "4090": ["rtx4090"] } }).gpuMappings).toEqual({ "4090": ["rtx4090"] });
    expect(pveConnectionSettings.parse({ gpuMappings: "4090=rtx4090, rtx4090-b; a100=a100" }).gpuMappings).toEqual({ "4090": ["rtx4090", "rtx4090-b"], a100: ["a100"] });
    expect(pveConnectionSettings.parse({ gpuMappings: '{"4090": ["rtx4090"]}' }).gpuMappings).toEqual({ "4090": ["rtx4090"] });
    expect(pveConnectionSettings.safeParse({ gpuMappings: { "4090": ["0000:01:00"] } }).error?.issues[0]).toMatchObject({ path: ["gpuMappings", "4090", 0], message: "must be a PVE PCI mapping id, e.g. rtx4090" });
    expect(pveConnectionSettings.safeParse({ gpuMappings: { "4090": [] } }).error?.issues[0]?.message).toBe("name at least one PCI mapping id");
    expect(pveConnectionSettings.safeParse({ gpuMappings: ["rtx4090"] }).error?.issues[0]?.message).toBe('must map GPU types to PCI mapping ids, e.g. {"4090": ["rtx4090"]} or 4090=rtx4090,rtx4090');
  });
});

describe("PVE GPUs against the simulator", () => {
  let sim: PveSimulator;
  let provider: PveProvider;
  beforeAll(async () => {
    sim = await startTestSim({ pciMappings: MAPPINGS, taskDurationMs: 20 });
    provider = new PveProvider(
      { name: "lab", kind: "pve", settings: { simulated: true, gpuMappings: { "4090": ["rtx4090", "rtx4090-b"] } }, baseUrl: sim.url, credentials: { tokenId: TOKEN_ID, secret: TOKEN_SECRET }, tls: { verify: true } },
      { agentTimeoutMs: 3_000, agentPollMs: 50, taskPollMs: 20 },
    );
  });
  afterAll(async () => {
    provider.client.close();
    await sim?.stop();
  });
  beforeEach(() => sim.resetState());

  const template = { ref: pveRef("pve1", 9000), settings: {}, name: "ubuntu" };
  const request = (name: string, gpus: number, target = "pve1"): CreateRequest => ({
    name,
    template,
    size: { cpuCores: 2, memoryMb: 2048, diskGb: 32, gpus: gpus ? { "4090": gpus } : {} },
    options: { target, storage: "local-lvm" },
    cloudInit: { user: "ubuntu" },
  });
  function context() {
    const state: Record<string, unknown> = {};
    const lines: string[] = [];
    const attached: { running: boolean }[] = [];
    const ctx: StepContext = {
      get facts() {
        return state;
      },
      remember: async (facts) => void Object.assign(state, facts),
      recordProviderTask: async () => undefined,
      log: async (l) => void lines.push(...(typeof l === "string" ? [l] : l.map((x) => x.t))),
      // Records whether the VM already ran (held its devices) when the step said its GPUs are attached.
      gpusAttached: async () => void attached.push({ running: [...sim.state.vms.values()].some((v) => v.running && (v.pciDevices?.length ?? 0) > 0 && v.config.name === lastName) }),
    };
    return { ctx, state, lines, attached };
  }
  let lastName = "";
  async function build(req: CreateRequest, vmid: number) {
    lastName = req.name;
    const c = context();
    const steps = provider.createSteps(req, pveRef(req.options.target as string, vmid));
    for (const step of steps) await step.run(c.ctx);
    return { ...c, steps };
  }

  it("offers GPU type 4090 with the mapped devices and the nodes that have one free; calls at once share one read; no mappings: no offers", async () => {
    expect(await provider.gpuOffers(template)).toEqual([
      { gpuType: "4090", label: "RTX 4090", counts: [1, 2, 3], total: 4, available: 4, placements: ["pve1", "pve2"], rentalTypes: ["on_demand"] },
    ]);
    const reads = () => sim.requests.filter((r) => r.apiPath === "/cluster/mapping/pci").length;
    const start = reads();
    await Promise.all([provider.gpuOffers(template), provider.gpuOffers(template), provider.gpuOffers(template)]);
    expect(reads() - start).toBe(1);
    const plain = new PveProvider({ name: "plain", kind: "pve", settings: {}, baseUrl: sim.url, credentials: { tokenId: TOKEN_ID, secret: TOKEN_SECRET }, tls: { verify: true } });
    const before = sim.requests.length;
    expect(await plain.gpuOffers(template)).toEqual([]);
    expect(sim.requests.length).toBe(before); // no GPUs configured: PVE is not asked
    plain.close();
  });

  it("creates a VM with two GPUs: hostpci entries with the mappings and pcie on a q35 machine, set before the start, read back; the running VM holds two devices", async () => {
    const { steps, lines, state, attached } = await build(request("gpu-two", 2), 300);
    // The pool learns that PVE counts the devices as taken once the VM runs with them, not before.
    expect(attached).toEqual([{ running: true }]);
    expect(steps.map((s) => s.key)).toEqual(["clone", "configure", "gpus", "resize", "verify", "start", "agent"]);
    const vm = sim.state.vms.get(300)!;
    expect(vm.config).toMatchObject({ machine: "q35", hostpci0: "mapping=rtx4090,pcie=1", hostpci1: "mapping=rtx4090,pcie=1" });
    expect(vm.running).toBe(true);
    expect(vm.pciDevices?.map((d) => d.path)).toEqual(["0000:01:00", "0000:02:00"]);
    expect(state.gpuDevices).toEqual([
      { key: "hostpci0", mapping: "rtx4090" },
      { key: "hostpci1", mapping: "rtx4090" },
    ]);
    expect(lines).toContain("Attached 2 RTX 4090 GPUs: hostpci0 = mapping=rtx4090,pcie=1, hostpci1 = mapping=rtx4090,pcie=1; machine type q35 (was i440fx); PVE picks a free device of the mapping on pve1 when the VM starts");
    // The GPU PUT came before the first start.
    const paths = sim.requests.map((r) => `${r.method} ${r.apiPath}`);
    expect(paths.findIndex((p) => p === "PUT /nodes/pve1/qemu/300/config" && sim.requests[paths.indexOf(p)]!.params.hostpci0 !== undefined)).toBeLessThan(paths.indexOf("POST /nodes/pve1/qemu/300/status/start"));

    // Offers now count what the running VM holds (read fresh); a third GPU goes to the second mapping.
    expect((await provider.gpuOffers(template))[0]).toMatchObject({ total: 4, available: 2, placements: ["pve1", "pve2"] });
    const third = await build(request("gpu-three", 1), 301);
    expect(third.state.gpuDevices).toEqual([{ key: "hostpci0", mapping: "rtx4090-b" }]);
    expect(sim.state.vms.get(301)!.pciDevices?.map((d) => d.path)).toEqual(["0000:03:00"]);
  });

  it("a retried GPU step sets nothing twice, and keeps the mappings it chose", async () => {
    const c = context();
    const steps = provider.createSteps(request("gpu-retry", 1), pveRef("pve1", 310));
    for (const step of steps.slice(0, 3)) await step.run(c.ctx);
    const puts = () => sim.requests.filter((r) => r.method === "PUT" && r.apiPath === "/nodes/pve1/qemu/310/config").length;
    const before = puts();
    await steps[2]!.run(c.ctx);
    expect(puts()).toBe(before);
    expect(c.lines.at(-1)).toMatch(/^Attached 1 RTX 4090 GPU: hostpci0 = mapping=rtx4090,pcie=1; PVE picks/);
  });

  it("the precheck refuses a GPU type that is not mapped, and too few free devices on the target node, naming where there are", async () => {
    const problems = async (req: CreateRequest) => (await provider.precheck(req)).problems;
    expect(await problems({ ...request("p1", 0), size: { ...request("p1", 0).size, gpus: { a100: 1 } } })).toEqual(["GPU type a100 is not offered by lab: choose one of 4090"]);
    expect(await problems(request("p2", 2, "pve1"))).toEqual([]);
    // Rocky lives on shared NFS: it can go to pve2, which has one 4090.
    const rocky = { ref: pveRef("pve2", 9002), settings: {}, name: "rocky" };
    const onPve2 = (n: number): CreateRequest => ({ ...request("p3", n, "pve2"), template: rocky, options: { target: "pve2", storage: "NFS" } });
    expect(await problems(onPve2(1))).toEqual([]);
    expect(await problems(onPve2(2))).toEqual(["Only 1 RTX 4090 GPU is free on pve2 now (2 requested): choose node pve1 (3 free)"]);
  });

  it("a start that finds the device taken by another VM fails with PVE's words", async () => {
    const { ctx } = context();
    // Another VM (outside the portal) configured with the single device on pve2 is started first.
    const steps = provider.createSteps({ ...request("late", 1, "pve2"), template: { ref: pveRef("pve2", 9002), settings: {}, name: "rocky" }, options: { target: "pve2", storage: "NFS" } }, pveRef("pve2", 320));
    for (const step of steps.slice(0, 5)) await step.run(ctx);
    const other = await provider.client.clone("pve2", 9002, { newid: 321, name: "other", full: true, storage: "NFS" });
    await provider.client.waitForTask(other, { pollMs: 20 });
    await provider.client.updateConfig("pve2", 321, { machine: "q35", hostpci0: "mapping=rtx4090,pcie=1" });
    await provider.client.waitForTask(await provider.client.start("pve2", 321), { pollMs: 20 });
    await expect(steps[5]!.run(ctx)).rejects.toMatchObject({ kind: "task_failed", message: expect.stringContaining("could not find a free device for 'hostpci0'") });
  });

  it("Discover lists the PCI mappings per node with their devices, what is free and the portal GPU type", async () => {
    const discovery = await provider.discover();
    const table = discovery.inventory.find((t) => t.title === "PCI resource mappings (GPUs)")!;
    expect(table.columns).toEqual(["Mapping", "Description", "Node", "Devices", "Free", "Portal GPU type"]);
    expect(table.rows).toEqual([
      ["a100", "A100", "pve2", "0000:81:00 (10de:20b5)", "1 of 1", "(not mapped)"],
      ["rtx4090", "RTX 4090", "pve1", "0000:01:00 (10de:2684, IOMMU group 12); 0000:02:00 (10de:2684, IOMMU group 13)", "2 of 2", "4090"],
      ["rtx4090", "RTX 4090", "pve2", "0000:41:00 (10de:2684, IOMMU group 30)", "1 of 1", "4090"],
      ["rtx4090-b", "RTX 4090 (slot 3)", "pve1", "0000:03:00 (10de:2684, IOMMU group 15)", "1 of 1", "4090"],
    ]);
  });
});
