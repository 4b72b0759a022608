import { afterAll, beforeAll, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { GET as taskRoute } from "@/app/api/v1/tasks/[taskId]/route";
import { issueSessionToken } from "../auth/api-tokens";
import { db } from "../db/client";
import { stopBoss } from "../jobs/boss";
import { startWorker } from "../jobs/worker";
import { closeProviderClients, providerFor } from "../providers/registry";
import type { ProviderRef } from "../providers/types";
import { useMigratedDatabase } from "../testing/test-db";
import { seedDemo } from "./seed";
import type { NovaSimulator } from "../providers/nova/simulator";
import { DEMO_NOVA_PROVIDER, DEMO_PROVIDER, DEMO_VERGEOS_PROVIDER, interruptSimulatedVm, runningSimulator, startSimulatedProviders } from "./simulated-providers";

/**
 * The zero-setup default: the demo seed, its simulated providers of every kind (each at the URL
 * recorded for it), a VergeOS VM made through the seed API, and the Nova Cloud account with its
 * balance, GPU offers and the five templates of Nova's docs.
 */
let database: { drop: () => Promise<void> };
let simulators: { stop: () => Promise<void> };
let token: string;
let gpuToken: string;

beforeAll(async () => {
  process.env.HANGAR_TASK_HEARTBEAT_SECONDS ??= "10";
  database = await useMigratedDatabase();
  const credentials = await seedDemo();
  expect(credentials?.map((c) => c.email)).toContain("user@hangar.local");
  simulators = await startSimulatedProviders();
  const user = await db().user.findUniqueOrThrow({ where: { email: "user@hangar.local" } });
  token = (await issueSessionToken(user.id)).token;
  const gpuUser = await db().user.findUniqueOrThrow({ where: { email: "gpu@hangar.local" } });
  gpuToken = (await issueSessionToken(gpuUser.id)).token;
  await startWorker();
}, 120_000);

afterAll(async () => {
  await stopBoss();
  closeProviderClients();
  await simulators?.stop();
  await database?.drop();
});

async function createAndWait(body: Record<string, unknown>, as = token) {
  const headers = { authorization: `Bearer ${as}`, "content-type": "application/json" };
  const res = await createRoute(new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", { method: "POST", headers, body: JSON.stringify(body) }), { params: Promise.resolve({}) });
  const reply = (await res.json()) as { code: number; message: string; data: { task_id: string } };
  expect(res.status, reply.message).toBe(200);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const t = await taskRoute(new Request(`http://hangar.test/api/v1/tasks/${reply.data.task_id}`, { headers }), { params: Promise.resolve({ taskId: reply.data.task_id }) });
    const task = ((await t.json()) as { data: { status: string; error: string | null } }).data;
    if (["completed", "failed", "cancelled"].includes(task.status)) return task;
  }
  throw new Error("the create did not finish in time");
}

it("starts a simulator for each simulated provider (Proxmox VE, VergeOS, Nova Cloud) and creates a VergeOS VM with the seed API", async () => {
  const providers = await db().providerConnection.findMany({ orderBy: { name: "asc" } });
  expect(providers.map((p) => [p.name, p.kind])).toEqual([
    [DEMO_PROVIDER, "pve"],
    [DEMO_VERGEOS_PROVIDER, "vergeos"],
    [DEMO_NOVA_PROVIDER, "nova"],
  ]);
  for (const p of providers) expect(p.baseUrl).toBe(runningSimulator(p.name)?.url);
  // Each now points at its running simulator, not at the configuration file's placeholder.
  expect(providers.every((p) => /^https?:\/\/127\.0\.0\.1:\d+$/.test(p.baseUrl) && !p.baseUrl.endsWith(":9443"))).toBe(true);
  expect((await db().template.findMany({ where: { provider: { kind: "vergeos" } }, orderBy: { name: "asc" } })).map((t) => t.name)).toEqual(["vergeos-rocky", "vergeos-ubuntu"]);

  const verge = await createAndWait({ template_id: "vergeos-ubuntu", name: "demo-verge", target: "hangar-verge", cpuCores: 1, memorySize: 1024, diskSize: 10, cipassword: "demo-password" });
  expect(verge).toMatchObject({ status: "completed", error: null });
  expect(await db().vm.findFirstOrThrow({ where: { name: "demo-verge" } })).toMatchObject({ status: "running", diskGb: 10, ipAddress: expect.stringMatching(/^\d+\./) });
}, 120_000);

it("has a Nova Cloud account with a balance, its GPU offers, and the five templates of Nova's docs; a GPU template's create is accepted with the offer's default", async () => {
  const nova = await db().providerConnection.findUniqueOrThrow({ where: { name: DEMO_NOVA_PROVIDER } });
  expect(nova.enabled).toBe(true);
  const provider = providerFor(nova);
  expect((await provider.testConnection()).version).toBe("Nova Cloud API (balance 2500 USD)");
  const templates = await db().template.findMany({ where: { providerId: nova.id }, orderBy: { providerRefId: "asc" } });
  expect(templates.map((t) => [t.providerRefId, t.name])).toEqual([
    ["100", "ubuntu22-nvidia"],
    ["101", "ubuntu24-nvidia"],
    ["102", "stable-diffusion"],
    ["103", "comfyui"],
    ["104", "linux-desktop"],
  ]);
  const offers = await provider.gpuOffers!({ ref: { id: templates[2]!.providerRefId, data: templates[2]!.providerRef as ProviderRef["data"] }, settings: {} });
  expect(offers.map((o) => [o.gpuType, o.available, o.rentalTypes.length])).toEqual([
    ["4090", 12, 5],
    ["5090", 8, 5],
    ["6000pro", 4, 5],
  ]);
  // Accepted with the first offer on the node (the task itself is covered by lib/providers/nova/rentals.int.test.ts).
  const precheck = await provider.precheck({
    name: "sd-demo",
    template: { ref: { id: "102", data: { templateVmid: 102 } }, settings: {} },
    size: { cpuCores: 2, memoryMb: 4096, diskGb: 80, gpus: {} },
    options: { target: "vm01" },
    cloudInit: { password: "a-long-enough-password" },
  });
  expect(precheck).toEqual({ problems: [], options: { target: "vm01", gpuType: "4090", gpuCount: 1 } });
});

it("the demo hook interrupts a Nova rental through its simulator's control endpoint", async () => {
  const sim = runningSimulator(DEMO_NOVA_PROVIDER)!.handle as NovaSimulator;
  const rented = sim.state.createVm({ node: "vm01", gpu_type: "4090", gpu_count: 1, storage_gb: 50, template_vmid: 102, rental_type: "interruptible", auth_method: "password", password: "a-long-enough-password" });
  rented.status = "running"; // the demo's simulator takes seconds to boot a rental
  const [user, nova] = await Promise.all([db().user.findUniqueOrThrow({ where: { email: "user@hangar.local" } }), db().providerConnection.findUniqueOrThrow({ where: { name: DEMO_NOVA_PROVIDER } })]);
  await db().vm.create({ data: { name: "spot-1", ownerId: user.id, providerId: nova.id, providerRef: { vmId: rented.id, node: "vm01" }, providerRefId: rented.id, cpuCores: 6, memoryMb: 32768, diskGb: 50, gpuCount: 1, gpuType: "4090", rentalType: "interruptible", status: "running" } });
  expect(await interruptSimulatedVm("spot-1")).toBe(`spot-1 (${rented.id} on ${DEMO_NOVA_PROVIDER}) was interrupted; the portal checks its interruptible VMs now`);
  expect(sim.state.vms.get(rented.id)?.status).toBe("interrupted");
  expect((await providerFor(nova).status({ id: rented.id, data: { vmId: rented.id, node: "vm01" } })).state).toBe("interrupted");
  await expect(interruptSimulatedVm("spot-1")).rejects.toThrow("The simulator refused: VM " + rented.id + " is interrupted, not running");
  await expect(interruptSimulatedVm("nobody")).rejects.toThrow('No VM named "nobody"');
});

it("the GPU-lab demo account rents two RTX 4090s reserved for 3 months with the offer's sizes, which the standard plan cannot hold", async () => {
  const order = { template_id: "stable-diffusion", target: "vm01", cpuCores: 12, memorySize: 65536, diskSize: 50, cipassword: "a-long-enough-password", gpuType: "4090", gpuCount: 2, rentalType: "reserved", reservationMonths: 3 };
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const refused = await createRoute(new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", { method: "POST", headers, body: JSON.stringify({ ...order, name: "too-big" }) }), { params: Promise.resolve({}) });
  expect(refused.status).toBe(400);
  const rented = await createAndWait({ ...order, name: "demo-gpu" }, gpuToken);
  expect(rented).toMatchObject({ status: "completed", error: null });
  expect(await db().vm.findFirstOrThrow({ where: { name: "demo-gpu" } })).toMatchObject({ status: "running", gpuType: "4090", gpuCount: 2, cpuCores: 12, memoryMb: 65536, rentalType: "reserved_3m" });
}, 120_000);
