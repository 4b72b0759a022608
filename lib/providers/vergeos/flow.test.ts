import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { VergeClient, type VergeAuth } from "./client";
import { VergeOsError } from "./errors";
import {
  createVmFlow,
  deleteVm,
  deleteVmByName,
  ensureBootDrive,
  ensureGpus,
  ensureNics,
  ensureVm,
  powerOn,
  rebootVm,
  resizeVm,
  shutdownVm,
  stopVm,
  waitForPower,
  type VergeCreatePlan,
} from "./flow";
import { DEMO_GPU_GROUPS, demoSeed } from "./simulator/demo";
import { startTestVerge, TEST_API_KEY, TEST_PASSWORD, TEST_USER } from "./simulator/test-helpers";
import { clusterKey, fileKey, resourceGroupUuid, tierNumber, vnetKey, type MachineKey, type VmKey } from "./types";

const GiB = 1024 ** 3;
type Sim = Awaited<ReturnType<typeof startTestVerge>>;
let sim: Sim;
const clients: VergeClient[] = [];

beforeAll(async () => {
  sim = await startTestVerge();
});
afterAll(async () => {
  await sim.stop();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.faults.reset();
  // A fresh system for the next test.
  const fresh = demoSeed();
  sim.state.vms.clear();
  sim.state.status.clear();
  sim.state.drives.clear();
  sim.state.nics.clear();
  sim.state.devices.clear();
  for (const t of sim.state.tiers.values()) t.used = fresh.tiers?.find((f) => f.tier === t.tier)?.used ?? 0;
  sim.requests.length = 0;
});

function client(auth: VergeAuth = { type: "apiKey", apiKey: TEST_API_KEY }, tls = { verify: true, fingerprint: sim.fingerprint256 }): VergeClient {
  const c = new VergeClient({ baseUrl: sim.url, auth, tls, timeoutMs: 2_000, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });
  clients.push(c);
  return c;
}

const fast = { pollMs: 10, timeoutMs: 3_000, addressTimeoutMs: 2_000 };

function plan(overrides: Partial<VergeCreatePlan> = {}): VergeCreatePlan {
  return {
    name: "ada-gpu-1",
    ownerTag: "hangar:vm:abc123",
    cluster: clusterKey(1),
    cpuCores: 4,
    ramMb: 8192,
    diskBytes: 40 * GiB,
    mediaSource: fileKey(7),
    preferredTier: tierNumber(1),
    vnets: [vnetKey(3)],
    gpuGroups: [resourceGroupUuid(DEMO_GPU_GROUPS["RTX 4090"])],
    cloudInit: { user: "ada", sshKeys: ["ssh-ed25519 AAAAC3Nza ada@example.com"] },
    ...overrides,
  };
}

const vmsNamed = (name: string) => [...sim.state.vms.values()].filter((v) => v.name === name);

describe("VergeOS create flow against the simulator", () => {
  it("creates a VM with a GPU: keys where they belong, bytes, tier, NIC, device, running, an address", async () => {
    const c = client();
    const tierBefore = sim.state.tierByNumber(1)?.used ?? 0;
    const out = await createVmFlow(c, plan(), fast);
    expect(out.vm).not.toBe(out.machine);
    expect(out.addresses).toEqual([expect.stringMatching(/^10\.20\.3\.\d+$/)]);

    const [vm] = vmsNamed("ada-gpu-1");
    expect(vm).toMatchObject({ $key: Number(out.vm), machine: Number(out.machine), cpu_cores: 4, ram: 8192, cloudinit_datasource: "nocloud" });
    expect(vm?.cloudinit_files.find((f) => f.name === "user-data")?.contents).toContain('ssh_authorized_keys:\n      - "ssh-ed25519 AAAAC3Nza ada@example.com"');
    const drives = [...sim.state.drives.values()];
    expect(drives).toEqual([expect.objectContaining({ machine: Number(out.machine), media: "import", interface: "virtio-scsi", disksize: 40 * GiB, preferred_tier: "1", media_source: 7 })]);
    expect((sim.state.tierByNumber(1)?.used ?? 0) - tierBefore).toBe(40 * GiB);
    expect([...sim.state.nics.values()]).toEqual([expect.objectContaining({ machine: Number(out.machine), vnet: 3 })]);
    expect([...sim.state.devices.values()]).toEqual([expect.objectContaining({ machine: Number(out.machine), resource_group: DEMO_GPU_GROUPS["RTX 4090"] })]);
    expect(sim.state.statusOf(Number(out.machine))).toMatchObject({ status: "running", running: true });

    const power = sim.requests.filter((r) => r.path === "/vm_actions");
    expect(power.map((r) => r.body)).toEqual([{ vm: out.vm, action: "poweron" }]);
    for (const r of sim.requests.filter((r) => r.method === "POST" && /^\/machine_/.test(r.path))) expect((r.body as { machine: string }).machine).toBe(out.machine);
    expect(sim.requests.every((r) => r.auth === "bearer")).toBe(true);
  });

  it("reads the machine key back when the create reply leaves it out", async () => {
    const other = await startTestVerge({ omitMachineInCreateReply: true });
    try {
      const c = new VergeClient({ baseUrl: other.url, auth: { type: "apiKey", apiKey: TEST_API_KEY }, tls: { verify: false } });
      clients.push(c);
      const keys = await ensureVm(c, plan({ gpuGroups: [] }));
      expect(keys.machine).toBe(String([...other.state.vms.values()][0]?.machine));
      expect(other.requests.some((r) => r.method === "GET" && r.path === `/vms/${keys.vm}`)).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it("a full tier fails the boot drive with 507 (storage_full, VergeOS's words), and clean-up removes the half-made VM", async () => {
    const c = client();
    const tier = sim.state.tierByNumber(1);
    if (!tier) throw new Error("no tier 1");
    tier.used = tier.capacity - 10 * GiB;
    const p = plan();
    const keys = await ensureVm(c, p);
    const error = await ensureBootDrive(c, keys.machine, p).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VergeOsError);
    expect(error).toMatchObject({ kind: "capacity", reason: "storage_full", details: { status: 507 } });
    expect((error as Error).message).toMatch(/Insufficient storage on tier 1/);
    expect(sim.state.drives.size).toBe(0);
    expect(await deleteVmByName(c, p.name, p.ownerTag, fast)).toBe(true);
    expect(sim.state.vms.size).toBe(0);
  });

  it("a name taken by someone else's VM is a 409 conflict, and that VM is left alone", async () => {
    const c = client();
    await c.createVm({ name: "ada-gpu-1", cpuCores: 1, ramMb: 1024, description: "not ours" });
    await expect(c.createVm({ name: "ada-gpu-1", cpuCores: 1, ramMb: 1024 })).rejects.toMatchObject({ kind: "conflict", details: { status: 409 } });
    await expect(ensureVm(c, plan())).rejects.toMatchObject({ kind: "conflict", message: expect.stringContaining("already exists") });
    expect(await deleteVmByName(c, "ada-gpu-1", plan().ownerTag)).toBe(false);
    expect(vmsNamed("ada-gpu-1")).toHaveLength(1);
  });

  it("re-running every step after a crash leaves exactly one VM, drive, NIC and device", async () => {
    const c = client();
    const p = plan();
    // First attempt dies after the VM, drive and NIC were made (keys lost with the worker).
    const first = await ensureVm(c, p);
    await ensureBootDrive(c, first.machine, p);
    await ensureNics(c, first.machine, p);
    // Second attempt: a new worker, a new client, from the top.
    const c2 = client();
    const out = await createVmFlow(c2, p, fast);
    expect(out.vm).toBe(first.vm);
    expect(vmsNamed(p.name)).toHaveLength(1);
    expect(sim.state.drives.size).toBe(1);
    expect(sim.state.nics.size).toBe(1);
    expect(sim.state.devices.size).toBe(1);
    // And a third run of the whole flow changes nothing either.
    await createVmFlow(c2, p, fast);
    expect([sim.state.vms.size, sim.state.drives.size, sim.state.nics.size, sim.state.devices.size]).toEqual([1, 1, 1, 1]);
  });

  it("a create whose reply was lost (409 on the repeat) finds its own VM", async () => {
    const c = client();
    const p = plan();
    await ensureVm(c, p);
    // Hide the VM from the first lookup, as if the first POST's reply never arrived.
    sim.requests.length = 0;
    const realFind = c.findVmByName.bind(c);
    let calls = 0;
    c.findVmByName = async (name: string) => (++calls === 1 ? undefined : realFind(name));
    const keys = await ensureVm(c, p);
    expect(vmsNamed(p.name)).toHaveLength(1);
    expect(keys.vm).toBe(String(vmsNamed(p.name)[0]?.$key));
    expect(sim.requests.some((r) => r.method === "POST" && r.path === "/vms" && r.status === 409)).toBe(true);
  });

  it("delete kills the VM, then removes it with its drives, NICs and devices, and frees the tier", async () => {
    const c = client();
    const before = sim.state.tierByNumber(1)?.used;
    const out = await createVmFlow(c, plan(), fast);
    await deleteVm(c, out, fast);
    expect(sim.state.vms.size + sim.state.drives.size + sim.state.nics.size + sim.state.devices.size + sim.state.status.size).toBe(0);
    expect(sim.state.tierByNumber(1)?.used).toBe(before);
    const actions = sim.requests.filter((r) => r.path === "/vm_actions").map((r) => (r.body as { action: string }).action);
    expect(actions).toEqual(["poweron", "kill"]);
    // Already gone: done.
    await deleteVm(c, out, fast);
  });

  it("a client that swaps the VM key and the machine key fails against the simulator", async () => {
    const c = client();
    const keys = await ensureVm(c, plan({ gpuGroups: [] }));
    const swappedMachine = keys.vm as string as MachineKey;
    const swappedVm = keys.machine as string as VmKey;
    await expect(c.createDrive({ machine: swappedMachine, name: "boot", media: "import", interface: "virtio-scsi", mediaSource: fileKey(7), sizeBytes: GiB })).rejects.toMatchObject({ kind: "not_found" });
    await expect(c.createNic({ machine: swappedMachine, vnet: vnetKey(3) })).rejects.toMatchObject({ kind: "not_found" });
    await expect(c.createDevice({ machine: swappedMachine, resourceGroup: resourceGroupUuid(DEMO_GPU_GROUPS.A100) })).rejects.toMatchObject({ kind: "not_found" });
    await expect(c.vmAction(swappedVm, "poweron")).rejects.toMatchObject({ kind: "not_found" });
    expect(await c.machineStatus(swappedMachine)).toBeUndefined();
    await expect(c.getVm(swappedVm)).rejects.toMatchObject({ kind: "not_found" });
    await expect(powerOn(c, { vm: swappedVm, machine: swappedMachine }, fast)).rejects.toBeInstanceOf(VergeOsError);
    // The right keys work.
    await powerOn(c, keys, fast);
  });

  it("GPU devices are busy: a power-on beyond the group's devices is refused with 507", async () => {
    const c = client();
    const a100 = [resourceGroupUuid(DEMO_GPU_GROUPS.A100)];
    await createVmFlow(c, plan({ name: "a", gpuGroups: a100 }), fast);
    const b = await ensureVm(c, plan({ name: "b", gpuGroups: a100 }));
    await ensureGpus(c, b.machine, { gpuGroups: a100 });
    await expect(powerOn(c, b, fast)).rejects.toMatchObject({ reason: "storage_full", message: expect.stringMatching(/No free device in resource group 'A100'/) });
    // Attaching while running is refused too.
    const a = await ensureVm(c, plan({ name: "a", gpuGroups: a100 }));
    await expect(ensureGpus(c, a.machine, { gpuGroups: [...a100, ...a100] })).rejects.toMatchObject({ kind: "conflict" });
  });
});

describe("VergeOS lifecycle against the simulator", () => {
  it("stop (kill), start, reboot, shutdown; shutdown kills a guest that ignores ACPI after the grace time", async () => {
    const c = client();
    const keys = await createVmFlow(c, plan({ gpuGroups: [] }), fast);
    await rebootVm(c, keys);
    await stopVm(c, keys, fast);
    expect(sim.state.statusOf(Number(keys.machine))?.running).toBe(false);
    await stopVm(c, keys, fast); // already stopped: nothing sent
    await expect(rebootVm(c, keys)).rejects.toMatchObject({ kind: "conflict" });
    await powerOn(c, keys, fast);
    await powerOn(c, keys, fast); // already running: nothing sent
    expect(await shutdownVm(c, keys, 1_000, fast)).toEqual({ forced: false });
    await powerOn(c, keys, fast);
    sim.ignoreAcpi(Number(keys.vm));
    expect(await shutdownVm(c, keys, 100, fast)).toEqual({ forced: true });
    expect(sim.state.statusOf(Number(keys.machine))).toMatchObject({ running: false, status: "stopped" });
    const actions = sim.requests.filter((r) => r.path === "/vm_actions").map((r) => (r.body as { action: string }).action);
    expect(actions).toEqual(["poweron", "reset", "kill", "reset", "poweron", "poweroff", "poweron", "poweroff", "kill"]);
  });

  it("waits through the asynchronous power state (starting is not running)", async () => {
    const slow = await startTestVerge({ powerOnMs: 300 });
    try {
      const c = new VergeClient({ baseUrl: slow.url, auth: { type: "apiKey", apiKey: TEST_API_KEY }, tls: { verify: true, ca: slow.cert } });
      clients.push(c);
      const keys = await ensureVm(c, plan({ gpuGroups: [] }));
      await c.vmAction(keys.vm, "poweron");
      expect((await c.machineStatus(keys.machine))?.status).toBe("starting");
      const started = Date.now();
      await waitForPower(c, keys.machine, "running", { pollMs: 20, timeoutMs: 3_000 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      await expect(waitForPower(c, keys.machine, "stopped", { pollMs: 20, timeoutMs: 100 })).rejects.toMatchObject({ reason: "timeout" });
    } finally {
      await slow.stop();
    }
  });

  it("resize sets cores and RAM (MB) and grows the boot drive in bytes; shrinking is refused", async () => {
    const c = client();
    const keys = await createVmFlow(c, plan({ gpuGroups: [] }), fast);
    await stopVm(c, keys, fast);
    await resizeVm(c, keys, { cpuCores: 8, ramMb: 16384, diskBytes: 64 * GiB });
    expect(sim.state.vms.get(Number(keys.vm))).toMatchObject({ cpu_cores: 8, ram: 16384 });
    expect([...sim.state.drives.values()][0]?.disksize).toBe(64 * GiB);
    await resizeVm(c, keys, { diskBytes: 32 * GiB }); // smaller: nothing to do
    const drive = [...sim.state.drives.values()][0];
    await expect(c.resizeDrive(String(drive?.$key) as never, GiB)).rejects.toMatchObject({ kind: "parameter", reason: "validation" });
  });
});

describe("VergeOS transport, auth and faults against the simulator", () => {
  it("session tokens: logs in once, renews after expiry, never sends the password again otherwise", async () => {
    const c = client({ type: "token", username: TEST_USER, password: TEST_PASSWORD });
    await c.clusters();
    await c.vnets();
    sim.expireTokens();
    await c.storageTiers();
    const logins = sim.requests.filter((r) => r.path === "/api/sys/tokens");
    expect(logins).toHaveLength(2);
    expect(sim.requests.filter((r) => r.path !== "/api/sys/tokens").map((r) => `${r.status} ${r.auth}`)).toEqual(["200 token", "200 token", "401 none", "200 token"]);
  });

  it("a refused login is not tried twice", async () => {
    await expect(client({ type: "token", username: TEST_USER, password: "wrong" }).clusters()).rejects.toMatchObject({ kind: "auth", details: { status: 401 } });
    expect(sim.requests.filter((r) => r.path === "/api/sys/tokens")).toHaveLength(1);
  });

  it("reuses connections (keep-alive), also with a pinned certificate", async () => {
    const c = client();
    const before = sim.connections;
    for (let i = 0; i < 5; i++) await c.clusters();
    expect(sim.connections - before).toBe(1);
    // POSTs (not repeatable) each get a fresh connection; GETs keep reusing theirs.
    await c.createVm({ name: "p1", cpuCores: 1, ramMb: 1024 });
    await c.createVm({ name: "p2", cpuCores: 1, ramMb: 1024 });
    await c.clusters();
    expect(sim.connections - before).toBe(3);
  });

  it("checks the pinned certificate on every new connection (no TLS session resumption)", async () => {
    const c = client();
    await c.clusters();
    sim.dropConnections();
    await new Promise((r) => setTimeout(r, 20));
    const before = sim.connections;
    await c.clusters();
    await Promise.all([c.vnets(), c.vnets(), c.vnets()]);
    expect(sim.connections - before).toBeGreaterThanOrEqual(2);
  });

  it("HTTP Basic works; a wrong API key or password is an auth error naming the request", async () => {
    expect(await client({ type: "basic", username: TEST_USER, password: TEST_PASSWORD }).clusters()).toHaveLength(1);
    await expect(client({ type: "apiKey", apiKey: "nope" }).clusters()).rejects.toMatchObject({ kind: "auth", message: expect.stringContaining("GET /clusters") });
    await expect(client({ type: "token", username: TEST_USER, password: "bad" }).clusters()).rejects.toMatchObject({ kind: "auth" });
  });

  it("TLS: an unknown self-signed certificate is refused; a CA, verify off or the right pin work; a wrong pin is refused", async () => {
    await expect(client(undefined, { verify: true } as never).clusters()).rejects.toMatchObject({ kind: "tls" });
    expect(await client(undefined, { verify: true, ca: sim.cert } as never).clusters()).toHaveLength(1);
    expect(await client(undefined, { verify: false } as never).clusters()).toHaveLength(1);
    const wrong = `${"AB:".repeat(31)}AB`;
    await expect(client(undefined, { verify: true, fingerprint: wrong }).clusters()).rejects.toMatchObject({ kind: "tls", message: expect.stringContaining("expected") });
  });

  it("discovery: clusters, vnets, tiers with free bytes, media sources, GPU groups with device counts, vGPU devices", async () => {
    const c = client();
    expect(await c.clusters()).toEqual([expect.objectContaining({ key: "1", name: "hangar-verge", maxRamPerVmMb: 512 * 1024 })]);
    expect((await c.vnets()).map((v) => v.name)).toEqual(["Core", "DMZ", "External"]);
    const tiers = await c.storageTiers();
    expect(tiers.map((t) => [t.tier, t.freeBytes])).toEqual([
      ["1", 2 * 1024 * GiB - 200 * GiB],
      ["3", 9 * 1024 * GiB],
    ]);
    expect((await c.mediaSources("qcow2")).map((f) => f.key)).toEqual(["7", "8"]);
    const gpus = await c.resourceGroups({ gpuOnly: true });
    expect(gpus.map((g) => [g.name, g.uuid, g.resourceCount])).toEqual([
      ["RTX 4090", DEMO_GPU_GROUPS["RTX 4090"], 2],
      ["A100", DEMO_GPU_GROUPS.A100, 1],
    ]);
    expect(await c.vgpuDevices()).toHaveLength(2);
  });

  it("fault injection: GETs ride out 503s and 429s; a POST is not repeated after a 500; slow answers hit the deadline", async () => {
    const c = client();
    sim.faults.failNext({ method: "GET", path: "/clusters", status: 503, count: 2 });
    expect(await c.clusters()).toHaveLength(1);
    sim.faults.failNext({ method: "GET", path: "/vnets", status: 429, message: "Rate limit exceeded", retryAfter: 0 });
    expect(await c.vnets()).toHaveLength(3);
    sim.faults.failNext({ method: "POST", path: "/vms", status: 500, message: "Internal error" });
    await expect(c.createVm({ name: "x", cpuCores: 1, ramMb: 1024 })).rejects.toMatchObject({ kind: "unavailable", message: "Internal error" });
    expect(sim.requests.filter((r) => r.method === "POST" && r.path === "/vms")).toHaveLength(1);
    const impatient = new VergeClient({ baseUrl: sim.url, auth: { type: "apiKey", apiKey: TEST_API_KEY }, tls: { verify: false }, timeoutMs: 100, retry: { attempts: 1 } });
    clients.push(impatient);
    sim.faults.slowDown(400, /^\/clusters/);
    await expect(impatient.clusters()).rejects.toMatchObject({ kind: "network", message: expect.stringMatching(/timed out/) });
    sim.faults.slowDown(0);
  });
});
