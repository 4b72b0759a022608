import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as vmRoute } from "@/app/api/v1/vms/[vmId]/route";
import { GET as vmsRoute } from "@/app/api/v1/vms/route";
import { db } from "../../db/client";
import { stopBoss } from "../../jobs/boss";
import { startWorker } from "../../jobs/worker";
import { reconcileQuota } from "../../quota/reconcile";
import { startVmApi, type Handler, type VmApi } from "../../testing/vm-api";
import { wizardData } from "../../vms/wizard-data";
import { demoClusterOptions } from "./simulator";
import type { Db } from "../../db/client";
import { connectionConfig, moduleFor, providerFor } from "../registry";
import type { CreateRequest, JsonObject, ProviderClient } from "../types";

/**
 * Issue 9: PVE provisioning that tells the truth, end to end (seed API → task → simulator).
 * Kind 1: what PVE would refuse is refused at accept (400, nothing written). Kind 2: what is
 * built is what is recorded. Kind 3: busy and silent conditions never fail-and-destroy.
 */
process.env.HANGAR_AGENT_TIMEOUT_SECONDS = "3";

let api: VmApi;
const demo = demoClusterOptions();

beforeAll(async () => {
  api = await startVmApi({
    simulator: {
      agentDelayMs: 1500,
      nodes: [...(demo.nodes ?? []), { name: "pve4", cpus: 16, memoryMb: 65536, online: false }],
      templates: [
        ...(demo.templates ?? []),
        // Boot disk virtio0 (4 GB) first in the boot order, a 1 GB data disk scsi0.
        { node: "pve1", vmid: 9010, name: "virtio-boot", cores: 1, memory: 1024, diskGb: 4, ostype: "l26", boot: "order=virtio0;net0", disks: [{ key: "virtio0", gb: 4 }, { key: "scsi0", gb: 1 }] },
        // A 40 GB disk, two sockets of one core, one vCPU hotplugged.
        { node: "pve1", vmid: 9011, name: "big-disk", cores: 1, sockets: 2, vcpus: 1, memory: 2048, diskGb: 40, ostype: "l26" },
        { node: "pve1", vmid: 9012, name: "no-agent", cores: 1, memory: 1024, diskGb: 8, ostype: "l26", agent: false },
        { node: "pve1", vmid: 9013, name: "ballooned", cores: 1, memory: 8192, balloon: 4096, diskGb: 8, ostype: "l26" },
      ],
    },
    templates: [
      { name: "rocky-9", provider: "lab", node: "pve3", vmid: 9002, public: true },
      { name: "debian-12", provider: "lab", node: "pve2", vmid: 9001, public: true },
      { name: "windows", provider: "lab", node: "pve1", vmid: 9003, public: true },
      { name: "virtio-boot", provider: "lab", node: "pve1", vmid: 9010, public: true },
      { name: "big-disk", provider: "lab", node: "pve1", vmid: 9011, public: true },
      { name: "no-agent", provider: "lab", node: "pve1", vmid: 9012, public: true },
      { name: "ballooned", provider: "lab", node: "pve1", vmid: 9013, public: true },
    ],
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

beforeEach(async () => {
  api.sim.faults.reset();
  // Free the quota between tests (the simulator keeps its VMs).
  await db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });
});

const simVm = (name: string) => [...api.sim.state.vms.values()].find((v) => v.config.name === name);
const base = { cpuCores: 1, memorySize: 1024, diskSize: 32 };

async function createOk(body: Record<string, unknown>) {
  const res = await api.create(body);
  expect(res.status, res.body.message).toBe(200);
  return { vmid: res.body.data!.vmid, task: await api.settled(res.body.data!.task_id, 90_000) };
}

describe("kind 1: what PVE would refuse is refused at accept, with what would work", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["a template on local storage cloned to another node", { template_id: "ubuntu-24.04", name: "k1-a", target: "pve2", ...base }, /^ubuntu-24\.04 lives on pve1's local storage \(local-lvm\): choose pve1, or a template on shared storage$/],
    [
      "a shared template cloned to another node onto local storage",
      { template_id: "rocky-9", name: "k1-b", target: "pve1", storage: "local-lvm", ...base, diskSize: 40 },
      /^rocky-9 lives on pve3: a clone to pve1 needs a shared storage, and "local-lvm" is local to each node: choose NFS, or pve3$/,
    ],
    ["a storage without VM images", { template_id: "ubuntu-24.04", name: "k1-c", target: "pve1", storage: "local", ...base }, /^Storage "local" does not hold VM disks \(its content is backup, iso, vztmpl\): choose one of local-lvm, NFS$/],
    ["a storage that does not exist", { template_id: "ubuntu-24.04", name: "k1-d", target: "pve1", storage: "ceph", ...base }, /^Storage "ceph" is not available on pve1: choose one of local-lvm, NFS$/],
    ["an offline node", { template_id: "rocky-9", name: "k1-e", target: "pve4", ...base, diskSize: 40 }, /^Node pve4 is offline: choose one of pve1, pve2, pve3$/],
    ["a disk smaller than the template's", { template_id: "big-disk", name: "k1-f", target: "pve1", ...base, diskSize: 10 }, /^diskSize must be at least 40 GB: big-disk's boot disk \(scsi0\) is 40 GB, and disks never shrink$/],
    ["less memory than the template's balloon minimum", { template_id: "ballooned", name: "k1-g", target: "pve1", ...base, diskSize: 8, memorySize: 2048 }, /^memorySize must be at least 4096 MB: ballooned keeps at least 4096 MB/],
  ];
  for (const [title, body, message] of cases) {
    it(`refuses ${title} (400, nothing written)`, async () => {
      const before = { vms: await db().vm.count(), tasks: await db().task.count(), sim: api.sim.state.vms.size };
      const res = await api.create(body);
      expect(res.status, res.body.message).toBe(400);
      expect(res.body).toMatchObject({ code: 400, data: null });
      expect(res.body.message).toMatch(message);
      expect({ vms: await db().vm.count(), tasks: await db().task.count(), sim: api.sim.state.vms.size }).toEqual(before);
    });
  }

  it("accepts what works: a shared template on another node, on the shared storage", async () => {
    const { task } = await createOk({ template_id: "rocky-9", name: "k1-ok", target: "pve1", ...base, diskSize: 40 });
    expect(task.status).toBe("completed");
    expect(simVm("k1-ok")?.node).toBe("pve1");
  });

  it("reads the cluster once for a burst of requests (cached)", async () => {
    const count = () => api.sim.requests.filter((r) => r.apiPath === "/nodes").length;
    await api.create({ template_id: "ubuntu-24.04", name: "k1-c1", target: "pve2", ...base });
    const after = count();
    await api.create({ template_id: "ubuntu-24.04", name: "k1-c2", target: "pve2", ...base });
    expect(count()).toBe(after);
  });
});

describe("kind 2: what is built is what is recorded", () => {
  it("grows the boot disk of the boot order (virtio0), not the first scsi disk", async () => {
    const { task } = await createOk({ template_id: "virtio-boot", name: "k2-virtio", target: "pve1", ...base, diskSize: 10 });
    expect(task.status, task.error ?? "").toBe("completed");
    const vm = simVm("k2-virtio")!;
    expect(vm.config.virtio0).toMatch(/size=10G/);
    expect(vm.config.scsi0).toMatch(/size=1G/);
    expect(await db().vm.findFirstOrThrow({ where: { name: "k2-virtio" } })).toMatchObject({ diskGb: 10 });
  });

  it("sets the CPU topology explicitly: 1 socket x N cores, no vcpus limit", async () => {
    const { task } = await createOk({ template_id: "big-disk", name: "k2-cpu", target: "pve1", ...base, cpuCores: 4, diskSize: 40 });
    expect(task.status, task.error ?? "").toBe("completed");
    const vm = simVm("k2-cpu")!;
    expect(vm.config).toMatchObject({ sockets: "1", cores: "4" });
    expect(vm.config.vcpus).toBeUndefined();
    expect(api.sim.state.cpus(vm)).toBe(4);
    expect(await db().vm.findFirstOrThrow({ where: { name: "k2-cpu" } })).toMatchObject({ cpuCores: 4, diskGb: 40 });
  });

  it.each([["this node", "pve1"], ["another node", "pve2"]])("when nextid raced (the id taken on %s), the task and the VM show the VMID the clone really got", async (_where, otherNode) => {
    await stopBoss();
    const name = `k2-race-${otherNode}`;
    const res = await api.create({ template_id: "ubuntu-24.04", name, target: "pve1", ...base });
    expect(res.status).toBe(200);
    const answered = Number(res.body.data!.vmid);
    // Another client takes the id before the worker clones.
    api.sim.state.addGuest({ node: otherNode, vmid: answered, name: `someone-else-${otherNode}`, cores: 1, memory: 512, diskGb: 1, ostype: "l26" }, false);
    await startWorker();
    const task = await api.settled(res.body.data!.task_id, 90_000);
    expect(task.status, task.error ?? "").toBe("completed");
    const real = simVm(name)!.vmid;
    expect(real).not.toBe(answered);
    const shown = (await api.task(res.body.data!.task_id)) as unknown as { vm: { provider_ref: string } };
    expect(shown.vm.provider_ref).toBe(String(real));
    expect(task.logs.map((l) => l.line).join("\n")).toContain(`The VM has VMID ${real}, not ${answered} as first answered`);
    expect((task as unknown as { warnings: string[] }).warnings[0]).toBe(`The VM has VMID ${real}, not ${answered} as first answered: another client took ${answered} meanwhile`);
    const vm = await db().vm.findFirstOrThrow({ where: { name } });
    expect(vm.providerRefId).toBe(String(real));
    const listed = await api.call<{ name: string; provider_ref: string | null }[]>(vmsRoute as unknown as Handler, "GET", "/api/v1/vms", {});
    expect(listed.body.data.find((v) => v.name === name)?.provider_ref).toBe(String(real));
  });
});

describe("two portal processes never hand out the same VMID", () => {
  type Holder = Map<string, { fingerprint: string; client: ProviderClient }>;
  const holder = () => (globalThis as Record<string, unknown>).__hangarProviderClients as Holder;

  /** Runs `work` while the connection's client is `replace(original)` (what this process's requests use). */
  async function withClient<T>(replace: (original: ProviderClient, row: Db.ProviderConnection) => ProviderClient, work: () => Promise<T>): Promise<T> {
    const row = await db().providerConnection.findFirstOrThrow({ where: { name: "lab" } });
    const original = providerFor(row);
    const entry = holder().get(row.id)!;
    entry.client = replace(original, row);
    try {
      return await work();
    } finally {
      entry.client = original;
    }
  }

  it("two accepts racing for the same next id (two processes: each its own memory of handed-out ids) get different ids; the database decides", async () => {
    const others: ProviderClient[] = [];
    const ids = await withClient(
      (original, row) => {
        // Two processes: two clients of one connection. Both ask PVE for the next id before either writes its VM row.
        const processes = [moduleFor("pve").connect(connectionConfig(row)), moduleFor("pve").connect(connectionConfig(row))];
        others.push(...processes);
        let calls = 0;
        let release!: () => void;
        const bothAsked = new Promise<void>((r) => (release = r));
        return Object.assign(Object.create(original) as ProviderClient, {
          async accept(request: CreateRequest, taken: (refId: string) => Promise<boolean>) {
            const mine = processes[calls++ % 2]!;
            const accepted = await mine.accept(request, taken);
            if (calls >= 2) release();
            await bothAsked;
            return accepted;
          },
        });
      },
      () => Promise.all(["race-a", "race-b"].map((name) => api.create({ template_id: "ubuntu-24.04", name, target: "pve1", ...base }))),
    );
    for (const c of others) c.close();
    for (const res of ids) expect(res.status, res.body.message).toBe(200);
    const [a, b] = ids.map((res) => res.body.data!.vmid);
    expect(a).not.toBe(b);
    const rows = await db().vm.findMany({ where: { name: { in: ["race-a", "race-b"] } } });
    expect(new Set(rows.map((r) => r.providerRefId)).size).toBe(2);
    const tasks = await Promise.all(ids.map((res) => api.settled(res.body.data!.task_id, 90_000)));
    for (const t of tasks) expect(t.status, t.error ?? "").toBe("completed");
    expect(new Set([simVm("race-a")!.vmid, simVm("race-b")!.vmid]).size).toBe(2);
  });

  it("a clone that must take another id never takes one another process handed out (claimed in the records first)", async () => {
    await stopBoss();
    const first = await api.create({ template_id: "ubuntu-24.04", name: "claim-x", target: "pve1", ...base });
    expect(first.status, first.body.message).toBe(200);
    const x = Number(first.body.data!.vmid);
    // Another process accepted the next id for its VM (its row holds x + 1; its clone has not run).
    const other = await db().vm.findFirstOrThrow({ where: { name: "claim-x" } });
    const held = await db().vm.create({
      data: { name: "claim-held", ownerId: other.ownerId, providerId: other.providerId, providerRef: { node: "pve1", vmid: x + 1 }, providerRefId: String(x + 1), cpuCores: 1, memoryMb: 1024, diskGb: 32, status: "creating" },
    });
    // And another client takes x on PVE before our clone.
    api.sim.state.addGuest({ node: "pve1", vmid: x, name: "someone-else-claim", cores: 1, memory: 512, diskGb: 1, ostype: "l26" }, false);
    await startWorker();
    const task = await api.settled(first.body.data!.task_id, 90_000);
    expect(task.status, task.error ?? "").toBe("completed");
    const real = simVm("claim-x")!.vmid;
    expect(real).toBe(x + 2);
    expect(task.logs.map((l) => l.line)).toContain(`VMID ${x + 1} is held by another VM of the portal; taking another`);
    expect((await db().vm.findUniqueOrThrow({ where: { id: other.id } })).providerRefId).toBe(String(x + 2));
    await db().vm.update({ where: { id: held.id }, data: { deletedAt: new Date() } });
  });
});

describe("kind 3: busy and silent conditions never fail-and-destroy", () => {
  it("a config lock timeout is retried, not a failure", async () => {
    api.sim.faults.failNthCall({ method: "PUT", pathPattern: /\/config$/, n: 1, status: 500, message: "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout" });
    const { task } = await createOk({ template_id: "ubuntu-24.04", name: "k3-lock", target: "pve1", ...base });
    expect(task.status, task.error ?? "").toBe("completed");
    expect(simVm("k3-lock")?.running).toBe(true);
  });

  it("a clone task that ends in a config lock timeout is asked for again after a back-off, not failed", async () => {
    api.sim.faults.failTask({ type: "qmclone", vmid: 9000, message: "can't lock file '/var/lock/qemu-server/lock-9000.conf' - got timeout" });
    const { task } = await createOk({ template_id: "ubuntu-24.04", name: "k3-clonelock", target: "pve1", ...base });
    expect(task.status, task.error ?? "").toBe("completed");
    const lines = task.logs.map((l) => l.line);
    expect(lines.some((l) => /^Clone template: .* \(will retry\)$/.test(l)), lines.join("\n")).toBe(true);
    expect([...api.sim.state.vms.values()].filter((v) => v.config.name === "k3-clonelock")).toHaveLength(1);
    expect(simVm("k3-clonelock")?.running).toBe(true);
  });

  it("a template without the agent option: no waiting, completed with a warning, the VM kept", async () => {
    const { task } = await createOk({ template_id: "no-agent", name: "k3-noagent", target: "pve1", ...base, diskSize: 8 });
    expect(task.status, task.error ?? "").toBe("completed");
    expect((task as unknown as { warnings: string[] }).warnings).toEqual(["no IP: the template has no QEMU guest agent configured"]);
    const lines = task.logs.map((l) => l.line).join("\n");
    expect(lines).toMatch(/no QEMU guest agent configured/);
    expect(lines).not.toMatch(/Waiting for the guest agent/);
    expect(simVm("k3-noagent")?.running).toBe(true);
  });

  it("a silent agent: completed with a warning, the VM kept, the IP filled in when it answers", async () => {
    const res = await api.create({ template_id: "ubuntu-24.04", name: "k3-silent", target: "pve1", ...base });
    expect(res.status).toBe(200);
    // Once it runs, its agent stays silent.
    await expect.poll(() => simVm("k3-silent")?.running, { timeout: 30_000, interval: 20 }).toBe(true);
    simVm("k3-silent")!.agentReadyAt = Date.now() + 3_600_000;
    const task = await api.settled(res.body.data!.task_id, 90_000);
    expect(task.status, task.error ?? "").toBe("completed");
    expect((task as unknown as { warnings: string[] }).warnings).toEqual(["no IP yet: the guest agent did not answer"]);
    const vm = await db().vm.findFirstOrThrow({ where: { name: "k3-silent" } });
    expect(vm).toMatchObject({ status: "running", ipAddress: null, deletedAt: null });
    expect(simVm("k3-silent")?.running).toBe(true);
    // The agent answers: the VM's API fills the address in.
    simVm("k3-silent")!.agentReadyAt = 0;
    const got = await api.call<{ ip_address: string | null }>(vmRoute as unknown as Handler, "GET", `/api/v1/vms/${vm.id}`, { vmId: vm.id });
    expect(got.body.data.ip_address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  }, 120_000);
});

describe("the wizard and the records agree with PVE", () => {
  it("the wizard offers only the nodes where the template's clone works, the others with the reason", async () => {
    const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    const data = await wizardData(ada);
    const ubuntu = data.templates.find((t) => t.name === "ubuntu-24.04")!;
    expect(ubuntu.placements).toEqual(["pve1"]);
    expect(ubuntu.unavailable).toEqual([
      { name: "pve2", reason: "the template's disks are on pve1's local storage (local-lvm)" },
      { name: "pve3", reason: "the template's disks are on pve1's local storage (local-lvm)" },
      { name: "pve4", reason: "pve4 is offline" },
    ]);
    const rocky = data.templates.find((t) => t.name === "rocky-9")!;
    expect(rocky.placements).toEqual(["pve1", "pve2", "pve3"]);
    expect(rocky.unavailable).toEqual([{ name: "pve4", reason: "pve4 is offline" }]);
  });

  it("the wizard's minimums and defaults are the template's real disk (and balloon), so the default request is never refused", async () => {
    const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    const data = await wizardData(ada);
    const of = (name: string) => data.templates.find((t) => t.name === name)!;
    expect(of("big-disk")).toMatchObject({ min: { diskGb: 40 }, defaults: { diskGb: 40 } });
    expect(of("windows")).toMatchObject({ min: { diskGb: 64 }, defaults: { diskGb: 64 } });
    expect(of("ballooned").min.memoryMb).toBe(4096);
    expect(of("ballooned").defaults.memoryMb).toBeGreaterThanOrEqual(4096);
    const row = await db().providerConnection.findFirstOrThrow({ where: { name: "lab" } });
    for (const t of data.templates) {
      const template = await db().template.findUniqueOrThrow({ where: { id: t.id } });
      const checked = await providerFor(row).precheck({
        name: `wizard-${t.name}`,
        template: { ref: { id: template.providerRefId, data: template.providerRef as JsonObject }, settings: template.settings as Record<string, unknown>, name: t.name },
        size: { cpuCores: t.defaults.cpuCores, memoryMb: t.defaults.memoryMb, diskGb: t.defaults.diskGb, gpus: {} },
        options: { target: t.placements[0] },
        cloudInit: {},
      });
      expect(checked.problems, t.name).toEqual([]);
    }
  });

  it("VMs from every demo and test template: quota reconcile finds no size mismatch", async () => {
    const requests: Record<string, unknown>[] = [
      { template_id: "ubuntu-24.04", target: "pve1", diskSize: 32 },
      { template_id: "debian-12", target: "pve2", diskSize: 20 },
      { template_id: "rocky-9", target: "pve3", diskSize: 40 },
      { template_id: "windows", target: "pve1", diskSize: 64 },
      { template_id: "virtio-boot", target: "pve1", diskSize: 10 },
      { template_id: "big-disk", target: "pve1", diskSize: 40 },
      { template_id: "no-agent", target: "pve1", diskSize: 8 },
      { template_id: "ballooned", target: "pve1", diskSize: 8, memorySize: 4096 },
    ];
    const accepted = await Promise.all(requests.map((r, i) => api.create({ name: `rec-${i}`, cpuCores: 2, memorySize: 2048, ...r })));
    for (const res of accepted) expect(res.status, res.body.message).toBe(200);
    const tasks = await Promise.all(accepted.map((res) => api.settled(res.body.data!.task_id, 120_000)));
    for (const t of tasks) expect(t.status, `${t.error_detail ?? t.error}: ${t.logs.map((l) => l.line).join(" | ")}`).toBe("completed");
    const report = await reconcileQuota();
    expect(report.differences.filter((d) => d.kind === "size_mismatch")).toEqual([]);
  }, 180_000);
});
