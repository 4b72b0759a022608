import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { discoverProvider } from "../../admin/providers/discover";
import { importTemplates } from "../../admin/providers/import-templates";
import { updateTemplate } from "../../admin/templates/update-template";
import { applyConfig } from "../../config/apply";
import { importTemplatesSchema, templateFormSchema } from "../../schemas/admin";
import { db } from "../../db/client";
import { stopBoss } from "../../jobs/boss";
import { startWorker } from "../../jobs/worker";
import { startVmApi, type VmApi } from "../../testing/vm-api";
import { DEMO_GPU_GROUPS } from "./simulator";
import { TEST_API_KEY, startTestVerge } from "./simulator/test-helpers";

/**
 * Issue 10: VergeOS through the portal (seed API → create task → VergeOS simulator over HTTPS
 * with a pinned certificate), beside the PVE provider "lab" of startVmApi.
 */
// A failed create removes its half-made VM at once here (no keeping it for a retry: lib/vms/task-kinds.ts).
process.env.HANGAR_RETRY_KEEP_MINUTES = "0";
process.env.HANGAR_AGENT_TIMEOUT_SECONDS = "5";

const GiB = 1024 ** 3;
let api: VmApi;
let verge: Awaited<ReturnType<typeof startTestVerge>>;

beforeAll(async () => {
  api = await startVmApi();
  verge = await startTestVerge();
  await applyConfig({
    providers: [
      {
        name: "verge",
        kind: "vergeos",
        url: verge.url,
        apiKey: TEST_API_KEY,
        tls: { verify: true, fingerprint: verge.fingerprint256 },
        gpuGroups: { "4090": [DEMO_GPU_GROUPS["RTX 4090"]] },
      },
    ],
    templates: [
      { name: "ubuntu-verge", provider: "verge", public: true, ciuser: "ubuntu", minDiskGb: 8, vergeos: { mediaSource: "7", cluster: "1", vnet: "3", preferredTier: "1" } },
      { name: "rocky-verge", provider: "verge", public: true, ciuser: "rocky", minDiskGb: 10, vergeos: { mediaSource: 8, cluster: 1, vnet: 3, preferredTier: 3 } },
    ],
    plans: [{ name: "big", default: true, perVm: { cpuCores: 8, memoryMb: 65536, diskGb: 500, gpus: 4 }, total: { cpuCores: 64, memoryMb: 262144, diskGb: 4000, vms: 20, gpus: 8 } }],
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await verge?.stop();
});

beforeEach(async () => {
  verge.faults.reset();
  await db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });
});

const simVms = (name: string) => [...verge.state.vms.values()].filter((v) => v.name === name);
const base = { template_id: "ubuntu-verge", target: "hangar-verge", cpuCores: 2, memorySize: 2048, diskSize: 20 };

async function created(body: Record<string, unknown>) {
  const res = await api.create(body);
  expect(res.status, res.body.message).toBe(200);
  return api.settled(res.body.data!.task_id, 60_000);
}

describe("VergeOS through the portal", () => {
  it("creates a VM: VM key and machine key in their places, RAM in MB, the drive in bytes on the template's tier, the NIC on its vnet, running with an address", async () => {
    const t = await created({ ...base, name: "verge-one", cipassword: "s3cret-pass" });
    expect(t.status, JSON.stringify(t.steps)).toBe("completed");
    expect(t.steps.map((s) => s.name)).toEqual(["Reserve quota", "Create the VM", "Add the boot drive", "Add the network interface", "Check what VergeOS reports", "Start the VM", "Wait for the IP address"]);
    const [vm] = simVms("verge-one");
    expect(vm).toMatchObject({ cpu_cores: 2, ram: 2048, cluster: 1, guest_agent: true, cloudinit_datasource: "nocloud" });
    const userData = vm!.cloudinit_files.find((f) => f.name === "user-data")?.contents ?? "";
    expect(userData).toContain('"ubuntu"');
    expect(userData).not.toContain("s3cret-pass");
    const drives = [...verge.state.drives.values()].filter((d) => d.machine === vm!.machine);
    expect(drives).toEqual([expect.objectContaining({ name: "boot", media: "import", interface: "virtio-scsi", disksize: 20 * GiB, preferred_tier: "1", media_source: 7 })]);
    expect([...verge.state.nics.values()].filter((n) => n.machine === vm!.machine).map((n) => n.vnet)).toEqual([3]);
    expect(verge.state.status.get([...verge.state.status.values()].find((s) => s.machine === vm!.machine)!.$key)).toMatchObject({ running: true, status: "running" });
    const row = await db().vm.findFirstOrThrow({ where: { name: "verge-one", deletedAt: null } });
    expect(row).toMatchObject({ status: "running", providerRefId: String(vm!.$key), providerRef: { vm: String(vm!.$key), machine: String(vm!.machine) }, cpuCores: 2, memoryMb: 2048, diskGb: 20 });
    expect(row.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // Power actions went to the VM key, status reads to the machine key.
    expect(verge.requests.filter((r) => r.path === "/vm_actions").map((r) => r.body)).toEqual([{ vm: String(vm!.$key), action: "poweron" }]);
    expect(verge.requests.some((r) => r.path === "/machine_status" && r.query.filter === `machine eq ${vm!.machine}`)).toBe(true);
  });

  it("refuses at accept what VergeOS would refuse: an unknown cluster, a tier without room for the drive (bytes), a GPU type not offered", async () => {
    const before = { vms: await db().vm.count(), sim: verge.state.vms.size };
    const unknown = await api.create({ ...base, name: "verge-x1", target: "nowhere" });
    expect([unknown.status, unknown.body.message]).toEqual([400, 'VergeOS cluster "nowhere" does not exist: choose one of hangar-verge']);
    const tier = verge.state.tierByNumber(1)!;
    const used = tier.used;
    tier.used = tier.capacity - 20 * GiB + 1; // one byte short of a 20 GB drive
    try {
      const full = await api.create({ ...base, name: "verge-x2", diskSize: 20 });
      expect(full.status).toBe(400);
      expect(full.body.message).toBe("Storage tier 1 has 20 GB free, less than the 20 GB disk: choose a smaller disk or another tier (1 (20 GB free), 3 (9216 GB free))");
    } finally {
      tier.used = used;
    }
    expect({ vms: await db().vm.count(), sim: verge.state.vms.size }).toEqual(before);
  });

  it("a boot drive refused with 507 fails the task with the provider's words for staff, releases the quota and deletes the half-made VM", async () => {
    verge.faults.failNext({ method: "POST", path: "/machine_drives", status: 507, message: "Insufficient storage on tier 1" });
    const t = await created({ ...base, name: "verge-507" });
    expect(t.status).toBe("failed");
    expect(t.error).toBe("The provider has no free capacity for this request now (sold out, or its storage is full); choose another type or try later");
    expect(t.error_detail).toContain("Insufficient storage on tier 1");
    expect(simVms("verge-507")).toHaveLength(0);
    expect(await db().vm.findFirstOrThrow({ where: { name: "verge-507" } })).toMatchObject({ status: "destroyed", deletedAt: expect.any(Date) });
  });

  it("a name taken on VergeOS is refused at accept; taken after accept (409), the task fails with a conflict and leaves the other VM alone", async () => {
    verge.state.addVm({ name: "verge-taken", cluster: 1, cpu_cores: 1, ram: 1024, description: "someone else's" });
    const refused = await api.create({ ...base, name: "verge-taken" });
    expect([refused.status, refused.body.message]).toEqual([400, "A VM named verge-taken already exists on verge: choose another name"]);
    // Someone takes the name between accept and the create step: VergeOS answers 409.
    verge.faults.failNext({ method: "POST", path: "/vms", status: 409, message: "A VM named 'verge-late' already exists" });
    const t = await created({ ...base, name: "verge-late" });
    expect(t.status).toBe("failed");
    expect(t.error).toMatch(/conflict/);
    expect(t.error_detail).toBe("conflict: A VM named 'verge-late' already exists (HTTP 409)");
    expect(simVms("verge-taken")).toEqual([expect.objectContaining({ description: "someone else's" })]);
    expect(simVms("verge-late")).toHaveLength(0);
    expect(await db().vm.findFirstOrThrow({ where: { name: "verge-late" } })).toMatchObject({ deletedAt: expect.any(Date) });
  });

  it("a GPU attached while its create still runs is counted once: the other device can still be ordered", async () => {
    // The create stops before powering on (VergeOS answers its power action slowly), its GPU attached.
    verge.faults.slowDown(6_000, /^\/vm_actions/);
    const first = await api.create({ ...base, name: "verge-gpu-busy", gpuType: "4090", gpuCount: 1 });
    expect(first.status, first.body.message).toBe(200);
    const firstId = first.body.data!.task_id;
    for (let t = await api.task(firstId, "root"); ; t = await api.task(firstId, "root")) {
      if (t.steps.find((s) => s.name === "Attach 1 GPU")?.status === "completed") break;
      expect(["pending", "in_progress"], JSON.stringify(t.steps)).toContain(t.status);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await db().vm.findFirstOrThrow({ where: { name: "verge-gpu-busy", deletedAt: null } })).status).toBe("creating");
    // Two devices: one attached to the VM being created, one free (VergeOS says so; the portal agrees).
    const second = await api.create({ ...base, name: "verge-gpu-next", gpuType: "4090", gpuCount: 1 });
    expect(second.status, second.body.message).toBe(200);
    // Now both are taken (one attached, one promised): a third is refused.
    const third = await api.create({ ...base, name: "verge-gpu-third", gpuType: "4090", gpuCount: 1 });
    expect(third.status).toBe(400);
    expect(third.body.message).toBe("Not enough RTX 4090 GPUs free: 1 requested, 0 free now");
    verge.faults.reset();
    for (const id of [firstId, second.body.data!.task_id]) expect((await api.settled(id, 60_000)).status).toBe("completed");
    // Give both devices back for the tests after this one.
    for (const name of ["verge-gpu-busy", "verge-gpu-next"]) {
      const vm = await db().vm.findFirstOrThrow({ where: { name, deletedAt: null } });
      const removed = await api.remove(vm.id);
      expect(removed.status, removed.body.message).toBe(200);
      expect((await api.settled(removed.body.data!.task_id, 60_000)).status).toBe("completed");
    }
  }, 120_000);

  it("attaches a GPU ordered through the seed API (the resource group's UUID on the machine key) and refuses more than are free", async () => {
    const tooMany = await api.create({ ...base, name: "verge-gpu-3", gpuType: "4090", gpuCount: 3 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toBe("gpuCount must be one of 1, 2 for 4090 (RTX 4090)"); // the group has two devices
    const res = await api.create({ ...base, name: "verge-gpu", gpuType: "4090", gpuCount: 1 });
    expect(res.status, res.body.message).toBe(200);
    const t = await api.settled(res.body.data!.task_id);
    expect(t.status, JSON.stringify(t)).toBe("completed");
    expect(t.steps.map((s) => s.name)).toContain("Attach 1 GPU");
    const [vm] = simVms("verge-gpu");
    expect([...verge.state.devices.values()].filter((d) => d.machine === vm!.machine)).toEqual([expect.objectContaining({ resource_group: DEMO_GPU_GROUPS["RTX 4090"] })]);
    expect(await db().vm.findFirstOrThrow({ where: { name: "verge-gpu", deletedAt: null } })).toMatchObject({ gpuCount: 1, gpuType: "4090" });
    // The other device is free; a second request for two is refused at accept, saying what is free.
    const two = await api.create({ ...base, name: "verge-gpu-2", gpuType: "4090", gpuCount: 2 });
    expect(two.status).toBe(400);
    expect(two.body.message).toBe("Not enough RTX 4090 GPUs free: 2 requested, 1 free now");
  });

  it("an admin discovers the system and publishes a template from a media source; it works with the defaults (the external vnet), and its settings can be edited", async () => {
    const provider = await db().providerConnection.findUniqueOrThrow({ where: { name: "verge" } });
    const found = await discoverProvider(provider.id);
    const tiers = found.inventory.find((t) => t.title === "Storage tiers")!;
    expect(tiers.rows.map((r) => r[0])).toEqual(["1", "3"]);
    expect(found.inventory.find((t) => t.title === "GPU resource groups")!.rows.map((r) => [r[0], r[4], r[5]])).toEqual([
      ["RTX 4090", expect.stringMatching(/^\d$/), "4090"],
      ["A100", "1", "(not mapped)"],
    ]);
    const rocky = found.templates.find((t) => t.ref.id === "8")!;
    expect(rocky).toMatchObject({ ref: { data: { mediaSource: "8", cluster: "1" } }, publishedAs: ["rocky-verge"] });
    const root = await db().user.findUniqueOrThrow({ where: { email: "root@example.com" } });
    const actor = { id: root.id, email: root.email };
    const { ids } = await importTemplates(
      importTemplatesSchema.parse({ providerId: provider.id, templates: [{ selected: true, ref: rocky.ref, name: "rocky-published", os: "Rocky 9", description: "", public: true, minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 10 }] }),
      actor,
    );
    const t = await created({ ...base, template_id: "rocky-published", name: "verge-published" });
    expect(t.status, JSON.stringify(t.steps)).toBe("completed");
    const [vm] = simVms("verge-published");
    expect([...verge.state.nics.values()].filter((n) => n.machine === vm!.machine).map((n) => n.vnet)).toEqual([3]); // External
    expect([...verge.state.drives.values()].find((d) => d.machine === vm!.machine)).toMatchObject({ media_source: 8 });
    // The template's page edits its VergeOS settings as text; bad values are refused at their field.
    const row = await db().template.findUniqueOrThrow({ where: { id: ids[0] } });
    const form = { id: row.id, name: row.name, os: row.os, description: row.description, public: true, enabled: true, ciuser: "rocky", minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 10, defaultCpuCores: null, defaultMemoryMb: null, defaultDiskGb: null, userIds: [], teamIds: [] };
    await expect(updateTemplate(templateFormSchema.parse({ ...form, settings: { vnet: "1", preferredTier: "7" } }), actor)).rejects.toMatchObject({ message: "must be a storage tier, 1 to 5" });
    await updateTemplate(templateFormSchema.parse({ ...form, settings: { vnet: "1", preferredTier: "3", driveMedia: "clone" } }), actor);
    expect((await db().template.findUniqueOrThrow({ where: { id: row.id } })).settings).toEqual({ vnet: "1", preferredTier: "3", driveMedia: "clone" });
  });

  it("stop, start, shutdown, reboot, resize and delete run as tasks on the right keys", async () => {
    const t = await created({ ...base, name: "verge-life" });
    expect(t.status).toBe("completed");
    const row = await db().vm.findFirstOrThrow({ where: { name: "verge-life", deletedAt: null } });
    const [vm] = simVms("verge-life");
    const statusOf = () => [...verge.state.status.values()].find((s) => s.machine === vm!.machine)!;
    const run = async (action: "start" | "stop" | "shutdown" | "reboot") => {
      const res = await api.act(row.id, action);
      expect(res.status, res.body.message).toBe(200);
      const done = await api.settled(res.body.data!.task_id);
      expect(done.status, `${action}: ${done.error} ${done.error_detail}`).toBe("completed");
    };
    await run("stop");
    expect(statusOf()).toMatchObject({ running: false, status: "stopped" });
    await run("start");
    expect(statusOf()).toMatchObject({ running: true });
    await run("reboot");
    expect(statusOf()).toMatchObject({ running: true });
    await run("shutdown");
    expect(statusOf()).toMatchObject({ running: false });
    const resize = await api.resize(row.id, { cpuCores: 3, memorySize: 3072, diskSize: 30 });
    expect(resize.status, resize.body.message).toBe(200);
    expect((await api.settled(resize.body.data!.task_id)).status).toBe("completed");
    expect(simVms("verge-life")[0]).toMatchObject({ cpu_cores: 3, ram: 3072 });
    expect([...verge.state.drives.values()].find((d) => d.machine === vm!.machine)?.disksize).toBe(30 * GiB);
    const actions = verge.requests.filter((r) => r.path === "/vm_actions" && (r.body as { vm?: string }).vm !== undefined);
    expect(actions.every((r) => (r.body as { vm: string }).vm === String(vm!.$key) || (r.body as { vm: string }).vm !== String(vm!.machine))).toBe(true);
    const del = await api.remove(row.id);
    expect(del.status, del.body.message).toBe(200);
    expect((await api.settled(del.body.data!.task_id)).status).toBe("completed");
    expect(simVms("verge-life")).toHaveLength(0);
    expect([...verge.state.drives.values()].filter((d) => d.machine === vm!.machine)).toHaveLength(0);
    expect(await db().vm.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "deleted", deletedAt: expect.any(Date) });
  });

  it("a worker killed while creating the VM: another worker finishes the job with exactly one VM", async () => {
    await stopBoss();
    // Calls of /vms are held 1.5 s each: the step's look-up by name (GET), then its POST. The
    // worker is killed as soon as the POST has reached VergeOS, before the answer.
    const res = await api.create({ ...base, name: "verge-survivor" });
    expect(res.status, res.body.message).toBe(200);
    const delayFor = verge.faults.delayFor.bind(verge.faults);
    let arrivals = 0;
    verge.faults.delayFor = (path: string) => (path === "/vms" ? (arrivals++, 1500) : delayFor(path));
    const env = { ...process.env, LOG_LEVEL: "silent", HANGAR_TASK_HEARTBEAT_SECONDS: "10", HANGAR_JOB_MONITOR_SECONDS: "2" };
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "lib/jobs/worker-main.ts"], { env, stdio: "ignore" });
    try {
      await expect.poll(() => arrivals, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(2);
      child.kill("SIGKILL");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      verge.faults.delayFor = delayFor;
    }
    expect((await api.task(res.body.data!.task_id, "root")).steps.find((s) => s.name === "Create the VM")?.status).toBe("in_progress");
    // The dead worker's create still lands on VergeOS: the next worker must find it, not make another.
    await expect.poll(() => simVms("verge-survivor").length, { timeout: 10_000, interval: 50 }).toBe(1);
    verge.faults.reset();
    await startWorker();
    const t = await api.settled(res.body.data!.task_id, 120_000);
    expect(t.status, JSON.stringify(t.steps)).toBe("completed");
    expect(simVms("verge-survivor")).toHaveLength(1);
  }, 180_000);
});
