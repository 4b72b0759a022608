import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { GET as taskRoute } from "@/app/api/v1/tasks/[taskId]/route";
import { DELETE as deleteRoute } from "@/app/api/v1/vms/[vmId]/route";
import { POST as startRoute } from "@/app/api/v1/vms/[vmId]/start/route";
import { POST as stopRoute } from "@/app/api/v1/vms/[vmId]/stop/route";
import { db } from "../../db/client";
import { checkInterruptions } from "../../jobs/interruptions";
import { startNovaRentals } from "../../testing/nova-rentals";
import type { NovaSimulator } from "./simulator";

/**
 * Nova Cloud rentals end to end against real PostgreSQL and the Nova simulator (the real client
 * speaking HTTP to it): the seed API accepts, a pg-boss worker in this process runs the Nova
 * provider's steps (key, POST /vms, wait until running with an IP), and the portal records what
 * Nova built. Simulator state changes take 100-150 ms.
 */
let sim: NovaSimulator;
let token: string;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ sim, token, stop } = await startNovaRentals({ perVm: { cpuCores: 16, memoryMb: 131072, diskGb: 500, gpus: 8 }, total: { cpuCores: 64, memoryMb: 524288, diskGb: 2000, vms: 10, gpus: 16 } }));
}, 120_000);

afterAll(async () => stop?.());

beforeEach(async () => {
  sim.faults.reset();
  sim.setBalance("5000.00");
  for (const node of sim.state.nodes) for (const type of Object.keys(node.gpus)) sim.setExternalUse(node.id, type, 0);
  // Free the quota and the GPUs between tests: the portal's VMs count as deleted, Nova's are destroyed.
  for (const vm of sim.state.vms.values()) if (vm.status !== "destroyed") sim.state.destroy(vm.id);
  await db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });
});

type Envelope<T> = { code: number; message: string; data: T };
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type TaskData = { status: string; error: string | null; steps: { name: string; status: string; provider_task_id: string | null }[]; logs: { line: string }[] };

async function call<T>(handler: Handler, method: string, path: string, params: Record<string, string>, body?: unknown) {
  const res = await handler(
    new Request(`http://hangar.test${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) }),
    { params: Promise.resolve(params) },
  );
  return { status: res.status, body: (await res.json()) as Envelope<T> };
}

const create = (body: Record<string, unknown>) =>
  call<{ task_id: string; vm_name: string; vmid: string }>(createRoute as Handler, "POST", "/api/v1/vm/manage/createFromTemplate", {}, {
    template_id: "stable-diffusion",
    target: "vm01",
    cpuCores: 4,
    memorySize: 8192,
    diskSize: 100,
    ssh_key_id: "key-1",
    gpuType: "4090",
    ...body,
  });

async function settled(taskId: string, timeoutMs = 30_000): Promise<TaskData> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = (await call<TaskData>(taskRoute as Handler, "GET", `/api/v1/tasks/${taskId}`, { taskId })).body.data;
    if (["completed", "failed", "cancelled"].includes(t.status)) return t;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${t.status}: ${JSON.stringify(t.steps)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const createBodies = () => sim.requests.filter((r) => r.method === "POST" && r.path === "/vms").map((r) => r.body as Record<string, unknown>);

describe("Nova Cloud rentals (seed API → task → Nova)", () => {
  it("a Nova template needs a GPU type: the API says which ones Nova offers", async () => {
    const res = await create({ name: "sd-0", gpuType: undefined });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Template "stable-diffusion" is rented with GPUs: give gpuType (offered: 4090 (RTX 4090), 5090 (RTX 5090), 6000pro (RTX PRO 6000))');
  });

  it("rents one GPU of the type asked for on the target node and records what Nova built", async () => {
    const before = createBodies().length;
    const res = await create({ name: "sd-1" });
    expect(res.status, res.body.message).toBe(200);
    const t = await settled(res.body.data.task_id);
    expect(t.status, `${t.error} ${JSON.stringify(t.steps)}`).toBe("completed");
    expect(t.steps.map((s) => s.name)).toEqual(["Reserve quota", "Upload the SSH key (reused by fingerprint)", "Rent the GPU machine", "Wait until it runs with an IP address"]);

    const bodies = createBodies().slice(before);
    expect(bodies).toHaveLength(1);
    const key = sim.state.sshKeys[0]!;
    // Every seed field, integers as numbers; one GPU unless gpuCount says otherwise.
    expect(bodies[0]).toEqual({ node: "vm01", gpu_type: "4090", gpu_count: 1, storage_gb: 100, template_vmid: 102, rental_type: "on_demand", auth_method: "ssh_key", ssh_key_id: key.id });

    const vm = await db().vm.findFirstOrThrow({ where: { name: "sd-1" } });
    const novaVm = [...sim.state.vms.values()].find((v) => v.id === vm.providerRefId)!;
    expect(novaVm.status).toBe("running");
    // Nova's own size is what is recorded: 6 cores and 32 GB come with one 4090 (not the 4 cores and 8 GB asked).
    expect({ status: vm.status, ip: vm.ipAddress, cpuCores: vm.cpuCores, memoryMb: vm.memoryMb, diskGb: vm.diskGb, gpuType: vm.gpuType, gpuCount: vm.gpuCount }).toEqual({
      status: "running",
      ip: novaVm.ip_address,
      cpuCores: 6,
      memoryMb: 32 * 1024,
      diskGb: 100,
      gpuType: "4090",
      gpuCount: 1,
    });
  });

  it("reuses the uploaded SSH key by its fingerprint", async () => {
    const keys = sim.state.sshKeys.length;
    const res = await create({ name: "sd-2", target: "vm02" });
    expect(res.status, res.body.message).toBe(200);
    const t = await settled(res.body.data.task_id);
    expect(t.status, t.error ?? "").toBe("completed");
    expect(sim.state.sshKeys.length).toBe(Math.max(keys, 1));
    expect(createBodies().at(-1)).toMatchObject({ node: "vm02", gpu_type: "4090", ssh_key_id: sim.state.sshKeys[0]!.id });
  });

  it.each([
    ["on demand", { rentalType: "on_demand" }, { rental_type: "on_demand" }],
    ["reserved for 1 month", { rentalType: "reserved", reservationMonths: 1 }, { rental_type: "reserved", reservation_months: 1 }],
    ["reserved for 3 months", { rentalType: "reserved", reservationMonths: 3 }, { rental_type: "reserved", reservation_months: 3 }],
    ["reserved for 6 months", { rentalType: "reserved", reservationMonths: 6 }, { rental_type: "reserved", reservation_months: 6 }],
    ["interruptible", { rentalType: "interruptible", autoRestart: true }, { rental_type: "interruptible" }],
  ] as const)("%s: the API's GPU and rental fields reach Nova's POST /vms, and Nova's rental is recorded", async (_label, fields, wire) => {
    const before = createBodies().length;
    const res = await create({ name: `gpu-${createBodies().length}`, gpuType: "5090", gpuCount: 2, ...fields });
    expect(res.status, res.body.message).toBe(200);
    const t = await settled(res.body.data.task_id);
    expect(t.status, `${t.error} ${JSON.stringify(t.steps)}`).toBe("completed");
    const body = createBodies().slice(before)[0]!;
    expect(body).toEqual({ node: "vm01", gpu_type: "5090", gpu_count: 2, storage_gb: 100, template_vmid: 102, ...wire, auth_method: "ssh_key", ssh_key_id: sim.state.sshKeys[0]!.id });
    const vm = await db().vm.findFirstOrThrow({ where: { name: `gpu-${before}` } });
    const novaVm = sim.state.vms.get(vm.providerRefId!)!;
    expect(novaVm).toMatchObject({ status: "running", rental_type: wire.rental_type, gpu_count: 2 });
    if (wire.rental_type === "reserved") expect(novaVm.reservation_id).toBeTruthy();
    expect({ cpuCores: vm.cpuCores, memoryMb: vm.memoryMb, gpuType: vm.gpuType, gpuCount: vm.gpuCount }).toEqual({ cpuCores: 16, memoryMb: 96 * 1024, gpuType: "5090", gpuCount: 2 });
    // The rental terms, and the rates Nova bills the VM at (its own numbers, not the quote's).
    const planType = wire.rental_type === "reserved" ? `reserved_${wire.reservation_months}m` : wire.rental_type;
    expect({ rentalType: vm.rentalType, months: vm.reservationMonths, autoRestart: vm.autoRestart }).toEqual({
      rentalType: planType,
      months: wire.rental_type === "reserved" ? wire.reservation_months : null,
      autoRestart: wire.rental_type === "interruptible",
    });
    expect([vm.gpuHourly?.toString(), vm.storageHourly?.toString()]).toEqual([novaVm.gpu_hourly_rate.toDecimalPlaces(6).toString(), novaVm.storage_hourly_rate.toDecimalPlaces(6).toString()]);
    expect(vm.reservationEndsAt !== null).toBe(wire.rental_type === "reserved");
  });

  it.each([
    ["with auto-restart", true],
    ["without auto-restart", false],
  ] as const)("an interruptible rental Nova interrupts is shown interrupted, %s", async (_label, autoRestart) => {
    const name = `spot-${autoRestart ? "a" : "b"}`;
    const res = await create({ name, rentalType: "interruptible", autoRestart });
    expect(res.status, res.body.message).toBe(200);
    expect((await settled(res.body.data.task_id)).status).toBe("completed");
    const vm = await db().vm.findFirstOrThrow({ where: { name, deletedAt: null } });
    sim.interrupt(vm.providerRefId!);
    const first = await checkInterruptions();
    expect(first.interrupted).toEqual([vm.id]);
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("interrupted");
    const second = await checkInterruptions();
    expect(second.restarted).toEqual(autoRestart ? [vm.id] : []);
    if (!autoRestart) return;
    const restart = await db().task.findFirstOrThrow({ where: { vmId: vm.id }, orderBy: { createdAt: "desc" } });
    expect((await settled(restart.id)).status).toBe("completed");
    expect(sim.state.vms.get(vm.providerRefId!)?.status).toBe("running");
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("running");
  });

  it("a balance too low: the task fails with Nova's own words and nothing is left rented", async () => {
    sim.setBalance("0.10");
    const res = await create({ name: "sd-poor" });
    expect(res.status, res.body.message).toBe(200);
    const t = await settled(res.body.data.task_id);
    expect(t.status).toBe("failed");
    expect(t.error).toMatch(/^Insufficient balance\. Required: \$\d+\.\d\d, Available: \$0\.10$/);
    const vm = await db().vm.findFirstOrThrow({ where: { name: "sd-poor" } });
    expect(vm.status).toBe("failed");
    expect(vm.deletedAt).not.toBeNull();
  });

  it("GPUs sold out on the node: refused before anything is written, saying so", async () => {
    sim.setExternalUse("vm02", "4090", 4);
    sim.setExternalUse("vm02", "6000pro", 4);
    const res = await create({ name: "sd-full", target: "vm02" });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/Node vm02 has 0 free 4090 GPUs now, not 1 \(sold out\)/);
    expect(await db().vm.count({ where: { name: "sd-full" } })).toBe(0);
  });

  it("sold out between the check and the rental: the task fails as a capacity problem", async () => {
    sim.faults.failNext({ status: 400, detail: "No available GPUs: 1x 4090 requested on vm01, 0 free", method: "POST", path: "/vms" });
    const res = await create({ name: "sd-race" });
    expect(res.status, res.body.message).toBe(200);
    const t = await settled(res.body.data.task_id);
    expect(t.status).toBe("failed");
    expect(t.error).toMatch(/no free capacity/);
  });

  it("stops, starts and deletes a rental: Nova destroys it and the quota is released", async () => {
    const res = await create({ name: "sd-del" });
    expect(res.status, res.body.message).toBe(200);
    expect((await settled(res.body.data.task_id)).status).toBe("completed");
    const vm = await db().vm.findFirstOrThrow({ where: { name: "sd-del", deletedAt: null } });
    const novaId = vm.providerRefId!;

    const stop = await call<{ task_id: string }>(stopRoute as Handler, "POST", `/api/v1/vms/${vm.id}/stop`, { vmId: vm.id });
    expect(stop.status, stop.body.message).toBe(200);
    expect((await settled(stop.body.data.task_id)).status).toBe("completed");
    expect(sim.state.vms.get(novaId)?.status).toBe("stopped");

    const start = await call<{ task_id: string }>(startRoute as Handler, "POST", `/api/v1/vms/${vm.id}/start`, { vmId: vm.id });
    expect(start.status, start.body.message).toBe(200);
    expect((await settled(start.body.data.task_id)).status).toBe("completed");
    expect(sim.state.vms.get(novaId)?.status).toBe("running");

    const del = await call<{ task_id: string }>(deleteRoute as Handler, "DELETE", `/api/v1/vms/${vm.id}`, { vmId: vm.id });
    expect(del.status, del.body.message).toBe(200);
    const t = await settled(del.body.data.task_id);
    expect(t.status, t.error ?? "").toBe("completed");
    const gone = sim.state.vms.get(novaId);
    expect(gone === undefined || gone.status === "destroyed").toBe(true);
    const after = await db().vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(after.deletedAt).not.toBeNull();
  });
});
