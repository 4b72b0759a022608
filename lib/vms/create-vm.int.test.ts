import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { GET as taskRoute } from "@/app/api/v1/tasks/[taskId]/route";
import { issueSessionToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { getBoss, stopBoss } from "../jobs/boss";
import { queues } from "../jobs/queues";
import { startWorker, taskHousekeeping } from "../jobs/worker";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { loadPrices, usageWhere } from "../quota/context";
import { useMigratedDatabase } from "../testing/test-db";

/**
 * The create flow end to end against real PostgreSQL and the PVE simulator (the real client
 * speaking HTTP to it): the seed API accepts, a pg-boss worker provisions, the task records it.
 */
let database: { url: string; drop: () => Promise<void> };
let sim: PveSimulator;
let token: string;
const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ8v+Kq0aWZr4m8y2kz7Yh1n0Wq3e5t6u7i8o9p0a1b2 ada@laptop";
const SSH_KEY_2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq1bW2cX3dY4eZ5fA6gB7hC8iD9jE0kF1lG2mH3nI4o ada@desktop";

beforeAll(async () => {
  process.env.HANGAR_TASK_HEARTBEAT_SECONDS = "10";
  process.env.HANGAR_JOB_MONITOR_SECONDS = "2";
  database = await useMigratedDatabase();
  sim = await startPveSimulator(
    demoClusterOptions({
      authFailureDelayMs: 0,
      agentDelayMs: 300,
      taskDurationMs: { qmclone: 600, qmstart: 200, qmstop: 100, qmdestroy: 100, resize: 100, qmconfig: 50 },
    }),
  );
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true } }],
    templates: [
      { name: "ubuntu-24.04", provider: "lab", node: "pve1", vmid: 9000, public: true, ciuser: "ubuntu", minDiskGb: 32 },
      { name: "windows", provider: "lab", node: "pve1", vmid: 9003, public: false, minDiskGb: 64 },
    ],
    plans: [{ name: "small", default: true, perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 8, memoryMb: 16384, diskGb: 300, vms: 3 } }],
    users: [{ email: "ada@example.com", password: "long-enough-pw", role: "user", plan: "small" }],
  });
  const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  await db().sshKey.create({ data: { id: "key-1", userId: ada.id, name: "laptop", publicKey: SSH_KEY, fingerprint: "SHA256:test" } });
  await db().sshKey.create({ data: { id: "key-2", userId: ada.id, name: "desktop", publicKey: SSH_KEY_2, fingerprint: "SHA256:test-2" } });
  token = (await issueSessionToken(ada.id)).token;
  await startWorker();
}, 120_000);

afterAll(async () => {
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

beforeEach(() => sim.faults.reset());

async function create(body: Record<string, unknown>) {
  const res = await createRoute(
    new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as { code: number; message: string; data: { task_id: string; vm_name: string; vmid: string } } };
}

type TaskData = {
  status: string;
  progress: number;
  error: string | null;
  vm: { id: string; ip_address: string | null; provider_ref: string | null; status: string } | null;
  steps: { name: string; status: string; provider_task_id: string | null }[];
  logs: { line: string }[];
};

async function task(taskId: string): Promise<TaskData> {
  const res = await taskRoute(new Request(`http://hangar.test/api/v1/tasks/${taskId}`, { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({ taskId }),
  });
  return ((await res.json()) as { data: TaskData }).data;
}

async function settled(taskId: string, timeoutMs = 60_000): Promise<TaskData> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await task(taskId);
    if (["completed", "failed", "cancelled"].includes(t.status)) return t;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${t.status}: ${JSON.stringify(t.steps)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const simVmsNamed = (name: string) => [...sim.state.vms.values()].filter((v) => v.config.name === name);

async function usage() {
  const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  return (await usageWhere(db(), { ownerId: ada.id }, await loadPrices(db()))).total;
}

async function removeAll() {
  // Free the quota between tests: mark the portal's VMs deleted (the simulator keeps its VMs).
  await db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });
}

describe("create a VM from a template (seed API → task → PVE)", () => {
  it("clones, configures, resizes, starts and reads the IP, recording every step", async () => {
    await removeAll();
    const { status, body } = await create({
      template_id: "ubuntu-24.04",
      name: "web-1",
      target: "pve1",
      cpuCores: 2,
      memorySize: 2048,
      diskSize: 40,
      ssh_key_id: "key-1",
      cipassword: "s3cret-password",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ code: 200, message: "VM created and configured successfully", data: { vm_name: "web-1", vmid: expect.stringMatching(/^\d+$/) } });
    expect(body.data.task_id).toMatch(/^clone-[0-9a-f]+-\d+$/);

    const t = await settled(body.data.task_id);
    expect(t.status).toBe("completed");
    expect(t.progress).toBe(100);
    expect(t.steps.map((s) => s.status)).toEqual(t.steps.map(() => "completed"));
    const upid = (name: string) => t.steps.find((s) => s.name === name)?.provider_task_id;
    expect(upid("Clone template")).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:qmclone:9000:/);
    expect(upid("Start VM")).toMatch(/:qmstart:/);
    expect(t.logs.map((l) => l.line).join("\n")).toMatch(/create full clone of drive scsi0/);
    expect(t.vm).toMatchObject({ status: "running", provider_ref: body.data.vmid, ip_address: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) });

    const [vm] = simVmsNamed("web-1");
    expect(vm).toBeDefined();
    expect(vm!.node).toBe("pve1");
    expect(vm!.running).toBe(true);
    expect(vm!.config).toMatchObject({ cores: "2", memory: "2048", ciuser: "ubuntu", ipconfig0: "ip=dhcp" });
    expect(decodeURIComponent(vm!.config.sshkeys ?? "")).toBe(SSH_KEY);
    expect(vm!.config.scsi0).toMatch(/size=40G/);
    expect(vm!.config.scsi0).toMatch(/^NFS:/);
    // The cloud-init password is sealed in the task, never stored in clear.
    const stored = await db().task.findUniqueOrThrow({ where: { id: body.data.task_id } });
    expect(JSON.stringify(stored.input)).not.toContain("s3cret-password");
    // The requester is told in the app that the VM is ready, with a link to it.
    // (told just after the task's final status commits, so it may land a moment later)
    await expect.poll(() => db().notification.count({ where: { userId: stored.userId, kind: "task_completed" } }), { timeout: 5_000 }).toBe(1);
    const told = await db().notification.findMany({ where: { userId: stored.userId, kind: "task_completed" } });
    expect(told[0]).toMatchObject({ title: expect.stringContaining("web-1"), link: `/vms/${t.vm!.id}` });
  });

  it("a failing clone ends the task failed with PVE's words and releases the quota", async () => {
    await removeAll();
    sim.faults.failTask({ type: "qmclone", message: "clone failed: storage 'NFS' is full" });
    const { status, body } = await create({ template_id: "ubuntu-24.04", name: "full-disk", target: "pve1", cpuCores: 4, memorySize: 4096, diskSize: 50 });
    expect(status).toBe(200);
    expect(await usage()).toMatchObject({ cpuCores: 4, vms: 1 }); // reserved while it runs
    const t = await settled(body.data.task_id);
    expect(t.status).toBe("failed");
    expect(t.error).toBe("The operation failed on the provider; try again, or ask support if it fails again");
    expect((await db().task.findUniqueOrThrow({ where: { id: body.data.task_id } })).errorDetail).toContain("clone failed: storage 'NFS' is full");
    expect(t.steps.find((s) => s.name === "Clone template")?.status).toBe("failed");
    // PVE's own error line (raw words, paths) is for staff; its owner reads that the provider reported an error.
    const lines = t.logs.map((l) => l.line);
    expect(lines.join("\n")).not.toContain("TASK ERROR");
    expect(lines).toContain("The provider reported an error (support can see its words)");
    const raw = await db().taskLog.findMany({ where: { taskId: body.data.task_id, detail: { startsWith: "TASK ERROR:" } } });
    expect(raw.map((l) => l.detail)).toEqual([expect.stringContaining("clone failed: storage 'NFS' is full")]);
    expect(await usage()).toMatchObject({ cpuCores: 0, memoryMb: 0, diskGb: 0, vms: 0 });
    // Nothing half-made stays on the cluster.
    await expect.poll(() => simVmsNamed("full-disk").length, { timeout: 10_000 }).toBe(0);
    // The requester is told, in the words users get (not the provider's).
    const told = await db().notification.findMany({ where: { kind: "task_failed", link: `/tasks/${body.data.task_id}` } });
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toBe("The operation failed on the provider; try again, or ask support if it fails again");
  });

  it("an error in a later task keeps the half-made VM for a retry (its quota released), then removes it", async () => {
    await removeAll();
    sim.faults.failTask({ type: "qmstart", message: "start failed: QEMU exited with code 1" });
    const { body } = await create({ template_id: "ubuntu-24.04", name: "no-boot", target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 });
    const t = await settled(body.data.task_id);
    expect(t.status).toBe("failed");
    expect(t.error).toBe("The operation failed on the provider; try again, or ask support if it fails again");
    expect((await db().task.findUniqueOrThrow({ where: { id: body.data.task_id } })).errorDetail).toContain("start failed: QEMU exited with code 1");
    expect(t.steps.find((s) => s.name === "Clone template")?.status).toBe("completed");
    // Kept on the cluster for a retry (issue 12), no longer counted against the quota.
    expect(simVmsNamed("no-boot")).toHaveLength(1);
    expect(t.logs.map((l) => l.line).join("\n")).toMatch(/is kept for 60 min so that a retry can reuse it/);
    expect(await usage()).toMatchObject({ vms: 0 });
    // The worker's housekeeping removes it once its keep time is up.
    expect((await taskHousekeeping(new Date(Date.now() + 2 * 3_600_000))).keptVms).toBeGreaterThanOrEqual(1);
    expect(simVmsNamed("no-boot")).toHaveLength(0);
    expect((await task(body.data.task_id)).logs.map((l) => l.line).join("\n")).toMatch(/Removed the half-made VM/);
  });

  it("installs every chosen key (ssh_key_id and ssh_key_ids together), and refuses user-data PVE cannot take, others' keys and bad YAML with nothing written", async () => {
    await removeAll();
    const base = { template_id: "ubuntu-24.04", target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 };
    const before = { vms: await db().vm.count(), tasks: await db().task.count(), sim: sim.state.vms.size };
    const refused: [Record<string, unknown>, string][] = [
      [{ ...base, name: "k1", ssh_key_ids: ["key-1", "key-nobody"] }, "SSH key not found among your keys"],
      [{ ...base, name: "k2", ssh_key_ids: [] }, "ssh_key_ids: must name at least one key"],
      [{ ...base, name: "k3", user_data: "packages: [htop]" }, 'user_data cannot be used with template "ubuntu-24.04": Proxmox VE takes custom user-data only as a snippet file'],
      [{ ...base, name: "k4", user_data: "packages: [htop" }, "user_data is not valid YAML"],
      [{ ...base, name: "k5", user_data: "x".repeat(16_385) }, "user_data: at most 16384 characters"],
    ];
    for (const [req, message] of refused) {
      const { status, body } = await create(req);
      expect(status, body.message).toBe(400);
      expect(body.message.startsWith(message), body.message).toBe(true);
    }
    expect({ vms: await db().vm.count(), tasks: await db().task.count(), sim: sim.state.vms.size }).toEqual(before);

    const { status, body } = await create({ ...base, name: "two-keys", ssh_key_id: "key-1", ssh_key_ids: ["key-2", "key-1"] });
    expect(status, body.message).toBe(200);
    expect((await settled(body.data.task_id)).status).toBe("completed");
    const [vm] = simVmsNamed("two-keys");
    expect(decodeURIComponent(vm!.config.sshkeys ?? "")).toBe(`${SSH_KEY}\n${SSH_KEY_2}`);
    // The keys travel sealed in the task's input, like the password.
    const stored = await db().task.findUniqueOrThrow({ where: { id: body.data.task_id } });
    expect(JSON.stringify(stored.input)).not.toContain(SSH_KEY_2.split(" ")[1]!);
  });

  it("answers the seed's errors verbatim and leaves nothing behind", async () => {
    await removeAll();
    const before = { vms: await db().vm.count(), tasks: await db().task.count(), sim: sim.state.vms.size };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: "x" }, 400, "Missing required fields: template_id, target, cpuCores, memorySize, diskSize"],
      [{ template_id: "ubuntu-24.04", name: "not_ok!", target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 }, 400, "Invalid VM name: "],
      [{ template_id: "nope", name: "a", target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 }, 404, "Template not found"],
      [{ template_id: "windows", name: "a", target: "pve1", cpuCores: 2, memorySize: 4096, diskSize: 64 }, 403, "You do not have permission to use this template"],
      [{ template_id: "ubuntu-24.04", name: "a", target: "pve1", cpuCores: 5, memorySize: 1024, diskSize: 32 }, 400, "Requested resources exceed the per VM limits of your compute resource plan"],
    ];
    for (const [req, code, message] of cases) {
      const { status, body } = await create(req);
      expect(status, message).toBe(code);
      expect(body.code).toBe(code);
      expect(body.message.startsWith(message), body.message).toBe(true);
    }
    expect({ vms: await db().vm.count(), tasks: await db().task.count(), sim: sim.state.vms.size }).toEqual(before);
  });

  it("a worker killed mid-clone: the job finishes on another worker with exactly one VM", async () => {
    await removeAll();
    // This process stops working; a separate worker process takes the job, and is killed mid-clone.
    await stopBoss();
    sim.faults.reset();
    const { body } = await create({ template_id: "ubuntu-24.04", name: "survivor", target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 });
    const env = { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "silent", HANGAR_TASK_HEARTBEAT_SECONDS: "10", HANGAR_JOB_MONITOR_SECONDS: "2" };
    // `node --import tsx`, not the tsx CLI: the CLI runs the script in a child process of its own,
    // and a SIGKILL to the CLI would leave the real worker running.
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "lib/jobs/worker-main.ts"], { env, stdio: "ignore" });
    try {
      await expect
        .poll(async () => (await task(body.data.task_id)).steps.find((s) => s.name === "Clone template")?.status, { timeout: 60_000, interval: 100 })
        .toBe("in_progress");
      child.kill("SIGKILL");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await startWorker(); // a new worker (this process again)
    const t = await settled(body.data.task_id, 120_000);
    expect(t.status).toBe("completed");
    expect(simVmsNamed("survivor")).toHaveLength(1);
    // The job really was taken over: it ran a second time after the first worker died.
    const jobs = await (await getBoss()).findJobs(queues.createVm.name, { data: { taskId: body.data.task_id } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.retryCount).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
