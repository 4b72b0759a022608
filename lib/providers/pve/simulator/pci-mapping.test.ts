import { afterEach, describe, expect, it } from "vitest";
import type { PveSimulator } from "./server";
import { api, data, pollTask, startTestSim } from "./test-helpers";
import type { SimPciMappingSpec } from "./types";

let sim: PveSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** Two RTX 4090s on pve1 (a pool of one mapping), one on pve2. */
const MAPPINGS: SimPciMappingSpec[] = [
  {
    id: "rtx4090",
    description: "RTX 4090",
    devices: [
      { node: "pve1", path: "0000:01:00", id: "10de:2684", iommugroup: 12, subsystemId: "1043:889d" },
      { node: "pve1", path: "0000:02:00", id: "10de:2684", iommugroup: 13 },
      { node: "pve2", path: "0000:41:00", id: "10de:2684", iommugroup: 30 },
    ],
  },
];

const run = async (s: PveSimulator, method: string, path: string, form: Record<string, string> = {}) => {
  const r = await api(s, method, path, { form });
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.reason}`);
  return pollTask(s, data<string>(r));
};

async function gpuVm(s: PveSimulator, vmid: number, hostpci: Record<string, string>, machine = "q35"): Promise<void> {
  expect((await run(s, "POST", "/nodes/pve1/qemu/9000/clone", { newid: String(vmid), name: `gpu${vmid}` })).exitstatus).toBe("OK");
  const put = await api(s, "PUT", `/nodes/pve1/qemu/${vmid}/config`, { form: { machine, ...hostpci } });
  expect(put.status, put.reason).toBe(200);
}

describe("PCI resource mappings (GPUs)", () => {
  it("lists /cluster/mapping/pci as PVE does: id, description and one property string per device", async () => {
    sim = await startTestSim({ pciMappings: MAPPINGS });
    const list = await api(sim, "GET", "/cluster/mapping/pci");
    expect(list.status).toBe(200);
    const [entry] = data<Record<string, unknown>[]>(list);
    expect(entry).toMatchObject({
      id: "rtx4090",
      type: "pci",
      description: "RTX 4090",
      map: ["node=pve1,path=0000:01:00,id=10de:2684,iommugroup=12,subsystem-id=1043:889d", "node=pve1,path=0000:02:00,id=10de:2684,iommugroup=13", "node=pve2,path=0000:41:00,id=10de:2684,iommugroup=30"],
    });
    expect(data<Record<string, unknown>[]>(await api(sim, "GET", "/cluster/mapping/pci", { query: { "check-node": "pve1" } }))[0]).toHaveProperty("checks", []);
    expect(data(await api(sim, "GET", "/cluster/mapping/pci/rtx4090"))).toMatchObject({ id: "rtx4090", map: expect.any(Array) });
    const missing = await api(sim, "GET", "/cluster/mapping/pci/nope");
    expect(missing.status).toBe(500);
  });

  it("gives each started VM a free device of the mapping on its node, and refuses a start when none is left", async () => {
    sim = await startTestSim({ pciMappings: MAPPINGS });
    await gpuVm(sim, 201, { hostpci0: "mapping=rtx4090,pcie=1" });
    await gpuVm(sim, 202, { hostpci0: "mapping=rtx4090,pcie=1" });
    await gpuVm(sim, 203, { hostpci0: "mapping=rtx4090,pcie=1" });
    expect((await api(sim, "GET", "/nodes/pve1/qemu/201/config")).body?.data).toMatchObject({ hostpci0: "mapping=rtx4090,pcie=1", machine: "q35" });

    expect((await run(sim, "POST", "/nodes/pve1/qemu/201/status/start")).exitstatus).toBe("OK");
    expect((await run(sim, "POST", "/nodes/pve1/qemu/202/status/start")).exitstatus).toBe("OK");
    const third = await run(sim, "POST", "/nodes/pve1/qemu/203/status/start");
    expect(third.exitstatus).toBe("could not find a free device for 'hostpci0'");
    const held = sim.state.snapshot().vms as { vmid: number; status: string; pciDevices: { path: string }[] }[];
    expect(held.filter((v) => v.vmid >= 201 && v.vmid < 9000).map((v) => [v.vmid, v.status, v.pciDevices.map((d) => d.path)])).toEqual([
      [201, "running", ["0000:01:00"]],
      [202, "running", ["0000:02:00"]],
      [203, "stopped", []],
    ]);

    // A stopped VM gives its device back.
    expect((await run(sim, "POST", "/nodes/pve1/qemu/201/status/stop")).exitstatus).toBe("OK");
    expect((await run(sim, "POST", "/nodes/pve1/qemu/203/status/start")).exitstatus).toBe("OK");
  });

  it("takes one device per hostpci entry (two GPUs), and fails without q35 or without a device on the node", async () => {
    sim = await startTestSim({ pciMappings: MAPPINGS });
    await gpuVm(sim, 211, { hostpci0: "mapping=rtx4090,pcie=1", hostpci1: "mapping=rtx4090,pcie=1" });
    expect((await run(sim, "POST", "/nodes/pve1/qemu/211/status/start")).exitstatus).toBe("OK");
    await gpuVm(sim, 212, { hostpci0: "mapping=rtx4090,pcie=1" }, "pc");
    expect((await run(sim, "POST", "/nodes/pve1/qemu/212/status/stop")).exitstatus).toBe("OK");
    await run(sim, "POST", "/nodes/pve1/qemu/211/status/stop");
    expect((await run(sim, "POST", "/nodes/pve1/qemu/212/status/start")).exitstatus).toBe("q35 machine model is not enabled");
    await gpuVm(sim, 213, { hostpci0: "mapping=a100,pcie=1" });
    expect((await run(sim, "POST", "/nodes/pve1/qemu/213/status/start")).exitstatus).toBe("PCI device mapping not found for 'a100'");
  });

  it("checks hostpci values against PVE's format", async () => {
    sim = await startTestSim({ pciMappings: MAPPINGS });
    expect((await run(sim, "POST", "/nodes/pve1/qemu/9000/clone", { newid: "221", name: "fmt" })).exitstatus).toBe("OK");
    const bad = await api(sim, "PUT", "/nodes/pve1/qemu/221/config", { form: { hostpci0: "mapping=rtx4090,pcie=yes-please" } });
    expect(bad.status).toBe(400);
    expect(bad.body?.errors).toHaveProperty("hostpci0");
    const badKey = await api(sim, "PUT", "/nodes/pve1/qemu/221/config", { form: { hostpci0: "mapping=rtx4090,gpu=1" } });
    expect(badKey.status).toBe(400);
  });
});
