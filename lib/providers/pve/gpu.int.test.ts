import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as templatesRoute } from "@/app/api/v1/templates/route";
import { GET as vmRoute } from "@/app/api/v1/vms/[vmId]/route";
import { applyConfig } from "../../config/apply";
import { db } from "../../db/client";
import { startVmApi, type Handler, type VmApi } from "../../testing/vm-api";
import { DEMO_GPU_MAPPING, DEMO_TOKEN_ID, DEMO_TOKEN_SECRET } from "./simulator";

/**
 * Issue 11 item 7: GPUs on your own Proxmox hardware, end to end (seed API → accept → create task
 * → PVE simulator). The demo cluster has two RTX 4090s in pve1 behind the PCI mapping "rtx4090";
 * the connection maps it to the portal's GPU type 4090.
 */
process.env.HANGAR_AGENT_TIMEOUT_SECONDS = "5";

let api: VmApi;

beforeAll(async () => {
  api = await startVmApi({ simulator: { agentDelayMs: 300 } });
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: api.sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true }, gpuMappings: { "4090": [DEMO_GPU_MAPPING] } }],
    plans: [{ name: "big", default: true, perVm: { cpuCores: 8, memoryMb: 65536, diskGb: 500, gpus: 2 }, total: { cpuCores: 64, memoryMb: 262144, diskGb: 4000, vms: 20, gpus: 3 } }],
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

beforeEach(async () => {
  // Free the portal's records and the cluster's devices between tests.
  await db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date(), status: "deleted" } });
  api.sim.resetState();
});

const base = { template_id: "ubuntu-24.04", target: "pve1", cpuCores: 2, memorySize: 2048, diskSize: 32 };
const simVm = (name: string) => [...api.sim.state.vms.values()].find((v) => v.config.name === name);

describe("GPUs on the PVE cluster", () => {
  it("GET /api/v1/templates offers the cluster's GPU type with what is free", async () => {
    const res = await api.call<{ templates: { name: string; offers?: unknown[] }[] } | { name: string; offers?: unknown[] }[]>(templatesRoute as Handler, "GET", "/api/v1/templates", {});
    expect(res.status).toBe(200);
    const list = Array.isArray(res.body.data) ? res.body.data : res.body.data.templates;
    const ubuntu = list.find((t) => t.name === "ubuntu-24.04");
    expect(ubuntu?.offers).toEqual([expect.objectContaining({ gpuType: "4090", label: "RTX 4090", gpuCount: [1, 2], available: 2, total: 2, rentals: [{ rentalType: "on_demand" }] })]);
  });

  it("creates a VM with two GPUs: the task attaches them before the start, the VM runs holding both devices, the portal records and shows them", async () => {
    const res = await api.create({ ...base, name: "gpu-pve", gpuType: "4090", gpuCount: 2 });
    expect(res.status, res.body.message).toBe(200);
    const task = await api.settled(res.body.data!.task_id, 90_000);
    expect(task.status, JSON.stringify(task.steps)).toBe("completed");
    expect(task.steps.map((s) => s.name)).toEqual([
      "Reserve quota",
      "Allocate VMID",
      "Clone template",
      "Configure CPU, memory, name and cloud-init",
      "Attach 2 GPUs",
      "Resize disk",
      "Check the configuration PVE reports",
      "Start VM",
      "Wait for the guest agent and read the IP",
    ]);
    const vm = simVm("gpu-pve")!;
    expect(vm.config).toMatchObject({ machine: "q35", hostpci0: "mapping=rtx4090,pcie=1", hostpci1: "mapping=rtx4090,pcie=1" });
    expect(vm.running).toBe(true);
    expect(vm.pciDevices?.map((d) => d.path).sort()).toEqual(["0000:01:00", "0000:41:00"]);
    const row = await db().vm.findFirstOrThrow({ where: { name: "gpu-pve", deletedAt: null } });
    expect(row).toMatchObject({ gpuType: "4090", gpuCount: 2, rentalType: "on_demand", status: "running" });
    const shown = await api.call<Record<string, unknown>>(vmRoute as Handler, "GET", `/api/v1/vms/${row.id}`, { vmId: row.id });
    expect(shown.body.data).toMatchObject({ gpuType: "4090", gpuCount: 2, rentalType: "on_demand" });

    // Both devices are taken: a third request is refused at accept, saying what is free, and writes nothing.
    const before = await db().vm.count();
    const refused = await api.create({ ...base, name: "gpu-none-left", gpuType: "4090", gpuCount: 1 });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe("Not enough RTX 4090 GPUs free: 1 requested, 0 free now");
    expect(await db().vm.count()).toBe(before);

    // Deleting the VM gives its devices back.
    const del = await api.remove(row.id);
    expect((await api.settled(del.body.data!.task_id, 60_000)).status).toBe("completed");
    const again = await api.create({ ...base, name: "gpu-after-delete", gpuType: "4090", gpuCount: 1 });
    expect(again.status, again.body.message).toBe(200);
    expect((await api.settled(again.body.data!.task_id, 90_000)).status).toBe("completed");
  });

  it("a GPU held by a VM whose create still runs is counted once: the other device can still be ordered", async () => {
    // The create waits for the guest agent after the start (its VM runs, holding one device).
    for (const n of [1, 2]) api.sim.faults.failNthCall({ method: "GET", pathPattern: /\/agent\/network-get-interfaces$/, n, status: 500, message: "QEMU guest agent is not running" });
    const first = await api.create({ ...base, name: "gpu-busy", gpuType: "4090", gpuCount: 1 });
    expect(first.status, first.body.message).toBe(200);
    const firstId = first.body.data!.task_id;
    for (let t = await api.task(firstId, "root"); ; t = await api.task(firstId, "root")) {
      if (t.steps.find((s) => s.name === "Start VM")?.status === "completed") break;
      expect(["pending", "in_progress"], JSON.stringify(t.steps)).toContain(t.status);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await db().vm.findFirstOrThrow({ where: { name: "gpu-busy", deletedAt: null } })).status).toBe("creating");
    const second = await api.create({ ...base, name: "gpu-next", gpuType: "4090", gpuCount: 1 });
    expect(second.status, second.body.message).toBe(200);
    const third = await api.create({ ...base, name: "gpu-third", gpuType: "4090", gpuCount: 1 });
    expect(third.status).toBe(400);
    expect(third.body.message).toBe("Not enough RTX 4090 GPUs free: 1 requested, 0 free now");
    for (const id of [firstId, second.body.data!.task_id]) expect((await api.settled(id, 60_000)).status).toBe("completed");
  });

  it("two requests for the last device: exactly one wins, the other is told what is free; the winner's VM runs with it", async () => {
    const first = await api.create({ ...base, name: "gpu-first", gpuType: "4090", gpuCount: 1 });
    expect(first.status, first.body.message).toBe(200);
    expect((await api.settled(first.body.data!.task_id, 90_000)).status).toBe("completed");

    const [a, b] = await Promise.all([
      api.create({ ...base, name: "gpu-race-a", gpuType: "4090", gpuCount: 1 }),
      api.create({ ...base, name: "gpu-race-b", gpuType: "4090", gpuCount: 1 }, { as: "bob" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const loser = a.status === 400 ? a : b;
    const winner = a.status === 200 ? a : b;
    expect(loser.body.message).toBe("Not enough RTX 4090 GPUs free: 1 requested, 0 free now");
    const task = await api.settled(winner.body.data!.task_id, 90_000);
    expect(task.status, JSON.stringify(task.steps)).toBe("completed");
    const running = [...api.sim.state.vms.values()].filter((v) => v.running && v.pciDevices?.length);
    expect(running.map((v) => v.pciDevices!.map((d) => d.path)).flat().sort()).toEqual(["0000:01:00", "0000:41:00"]);
    expect(await db().vm.count({ where: { deletedAt: null, gpuType: "4090" } })).toBe(2);
  });

  it("the plan's GPU quota counts PVE GPUs", async () => {
    const first = await api.create({ ...base, name: "gpu-q1", gpuType: "4090", gpuCount: 2 });
    expect(first.status, first.body.message).toBe(200);
    // The plan allows 3 GPUs in total; 2 are held, so 2 more are over it (whatever the cluster has free).
    const over = await api.create({ ...base, name: "gpu-q2", gpuType: "4090", gpuCount: 2 });
    expect(over.status).toBe(400);
    expect(over.body.message).toBe("Requested resources exceed the available limits of your compute resource plan");
    expect(JSON.stringify(over.body.data)).toContain("GPUs: 2 of 3 GPUs in use, 2 more requested, 1 left");
    await api.settled(first.body.data!.task_id, 90_000);
  });

  it("a GPU type the cluster does not map, and a node without the GPU, are refused at accept with what would work", async () => {
    let r = await api.create({ ...base, name: "gpu-bad-type", gpuType: "a100", gpuCount: 1 });
    expect(r).toMatchObject({ status: 400, body: { message: 'Template "ubuntu-24.04" offers no GPU type a100 (offered: 4090 (RTX 4090))' } });
    r = await api.create({ ...base, template_id: "ubuntu-24.04", target: "pve2", name: "gpu-bad-node", gpuType: "4090", gpuCount: 1 });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain("Node pve2 has no RTX 4090 GPU: choose node pve1 (2 free)");
  });
});
