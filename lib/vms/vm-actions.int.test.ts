import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { GET as taskRoute } from "@/app/api/v1/tasks/[taskId]/route";
import { GET as listRoute } from "@/app/api/v1/vms/route";
import { DELETE as deleteRoute, GET as vmRoute } from "@/app/api/v1/vms/[vmId]/route";
import { POST as rebootRoute } from "@/app/api/v1/vms/[vmId]/reboot/route";
import { POST as resizeRoute } from "@/app/api/v1/vms/[vmId]/resize/route";
import { POST as shutdownRoute } from "@/app/api/v1/vms/[vmId]/shutdown/route";
import { POST as startRoute } from "@/app/api/v1/vms/[vmId]/start/route";
import { POST as stopRoute } from "@/app/api/v1/vms/[vmId]/stop/route";
import { issueSessionToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { stopBoss } from "../jobs/boss";
import { startWorker } from "../jobs/worker";
import { PveClient } from "../providers/pve/client";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { loadPrices, usageWhere } from "../quota/context";
import { useMigratedDatabase } from "../testing/test-db";

/**
 * Actions on an existing VM end to end against real PostgreSQL and the PVE simulator: the API
 * accepts (checks, task + job in one transaction), a pg-boss worker in this process runs the
 * provider's steps, and the VM's record, the quota and the simulated cluster follow.
 */
let database: { url: string; drop: () => Promise<void> };
let sim: PveSimulator;
const tokens: Record<"ada" | "bob" | "sue" | "root", string> = { ada: "", bob: "", sue: "", root: "" };

beforeAll(async () => {
  process.env.HANGAR_TASK_HEARTBEAT_SECONDS = "10";
  process.env.HANGAR_JOB_MONITOR_SECONDS = "2";
  database = await useMigratedDatabase();
  sim = await startPveSimulator(
    demoClusterOptions({
      authFailureDelayMs: 0,
      agentDelayMs: 200,
      taskDurationMs: { qmclone: 300, qmstart: 150, qmstop: 100, qmshutdown: 150, qmreboot: 200, qmdestroy: 100, resize: 100, qmconfig: 50 },
    }),
  );
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true } }],
    templates: [{ name: "ubuntu-24.04", provider: "lab", node: "pve1", vmid: 9000, public: true, ciuser: "ubuntu", minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 32 }],
    plans: [{ name: "small", default: true, perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 8, memoryMb: 16384, diskGb: 300, vms: 3 } }],
    users: [
      { email: "ada@example.com", password: "long-enough-pw", role: "user", plan: "small" },
      { email: "bob@example.com", password: "long-enough-pw", role: "user", plan: "small" },
      { email: "sue@example.com", password: "long-enough-pw", role: "support", plan: "small" },
      { email: "root@example.com", password: "long-enough-pw", role: "admin", plan: "small" },
    ],
  });
  for (const name of ["ada", "bob", "sue", "root"] as const) {
    const user = await db().user.findUniqueOrThrow({ where: { email: `${name}@example.com` } });
    tokens[name] = (await issueSessionToken(user.id)).token;
  }
  await startWorker();
}, 120_000);

afterAll(async () => {
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

beforeEach(() => sim.faults.reset());

type Envelope<T> = { code: number; message: string; data: T };
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call<T>(handler: Handler, method: string, path: string, params: Record<string, string>, options: { as?: keyof typeof tokens; body?: unknown } = {}) {
  const res = await handler(
    new Request(`http://hangar.test${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[options.as ?? "ada"]}`, "content-type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    { params: Promise.resolve(params) },
  );
  return { status: res.status, body: (await res.json()) as Envelope<T> };
}

const routes = { start: startRoute, stop: stopRoute, shutdown: shutdownRoute, reboot: rebootRoute } as unknown as Record<string, Handler>;
const act = (vmId: string, action: "start" | "stop" | "shutdown" | "reboot", as?: keyof typeof tokens) =>
  call<{ task_id: string } | null>(routes[action]!, "POST", `/api/v1/vms/${vmId}/${action}`, { vmId }, { as });
const resize = (vmId: string, body: unknown) => call<{ task_id: string; denials?: Denial[] } | null>(resizeRoute as Handler, "POST", `/api/v1/vms/${vmId}/resize`, { vmId }, { body });
const remove = (vmId: string, as?: keyof typeof tokens) => call<{ task_id: string } | null>(deleteRoute as Handler, "DELETE", `/api/v1/vms/${vmId}`, { vmId }, { as });
const getVm = (vmId: string, as?: keyof typeof tokens) => call<{ status: string; cpuCores: number; actions: string[]; active_task: unknown }>(vmRoute as Handler, "GET", `/api/v1/vms/${vmId}`, { vmId }, { as });

type Denial = { scope: string; dimension: string; limit: number; used: number; requested: number; message: string };
type TaskData = {
  kind: string;
  status: string;
  progress: number;
  error: string | null;
  steps: { name: string; status: string; provider_task_id: string | null }[];
  logs: { line: string }[];
};

async function task(taskId: string, as: keyof typeof tokens = "ada"): Promise<TaskData> {
  return (await call<TaskData>(taskRoute as Handler, "GET", `/api/v1/tasks/${taskId}`, { taskId }, { as })).body.data;
}

async function settled(taskId: string, timeoutMs = 60_000): Promise<TaskData> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await task(taskId);
    if (["completed", "failed", "cancelled"].includes(t.status)) return t;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${t.status}: ${JSON.stringify(t.steps)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Accepted (200 with a task id) and run to completion. */
async function done(accepted: { status: number; body: Envelope<{ task_id: string } | null> }): Promise<TaskData> {
  expect(accepted.status, accepted.body.message).toBe(200);
  const t = await settled(accepted.body.data!.task_id);
  expect(t.status, `${t.error} ${JSON.stringify(t.steps)}`).toBe("completed");
  return t;
}

async function createVm(name: string, size = { cpuCores: 2, memorySize: 2048, diskSize: 40 }): Promise<{ id: string; vmid: number; taskId: string }> {
  const res = await call<{ task_id: string; vmid: string }>(createRoute as Handler, "POST", "/api/v1/vm/manage/createFromTemplate", {}, {
    body: { template_id: "ubuntu-24.04", name, target: "pve1", ...size },
  });
  expect(res.status, res.body.message).toBe(200);
  const vm = await db().vm.findFirstOrThrow({ where: { name, deletedAt: null } });
  return { id: vm.id, vmid: Number(res.body.data.vmid), taskId: res.body.data.task_id };
}

async function usage() {
  const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  return (await usageWhere(db(), { ownerId: ada.id }, await loadPrices(db()))).total;
}

const simVm = (vmid: number) => sim.state.vms.get(vmid);
const logText = (t: TaskData) => t.logs.map((l) => l.line).join("\n");

describe("start, stop, shut down, reboot, resize and delete a VM (API → task → PVE)", () => {
  let vm: { id: string; vmid: number; taskId: string };

  it("refuses actions while the create task runs, then the VM accepts them", async () => {
    vm = await createVm("web-1");
    const early = await act(vm.id, "stop");
    expect(early.status).toBe(409);
    expect(early.body.message).toBe("The VM is still being created: wait for its create task to finish");
    await settled(vm.taskId);
    const detail = await getVm(vm.id);
    expect(detail.status).toBe(200);
    expect(detail.body.data).toMatchObject({ status: "running", active_task: null, actions: ["stop", "shutdown", "reboot", "resize", "delete"] });
  });

  it("stops, refuses a second action while one runs, and refuses a stop of a stopped VM", async () => {
    const stop = await act(vm.id, "stop");
    expect(stop.status).toBe(200);
    expect(stop.body.message).toBe("Stop of web-1 accepted");
    expect(stop.body.data!.task_id).toMatch(/^stop-[0-9a-f]+-\d+$/);
    const busy = await act(vm.id, "reboot");
    expect(busy.status).toBe(409);
    expect(busy.body.message).toBe("Another task is running on this VM");

    const t = await done(stop);
    expect(t.kind).toBe("vm.stop");
    expect(t.steps).toEqual([expect.objectContaining({ name: "Stop VM", status: "completed", provider_task_id: expect.stringMatching(/:qmstop:\d+:/) })]);
    expect(simVm(vm.vmid)!.running).toBe(false);
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("stopped");

    for (const action of ["stop", "shutdown"] as const) {
      const again = await act(vm.id, action);
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ code: 409, message: "VM is already stopped", data: null });
    }
    expect((await act(vm.id, "reboot")).body.message).toBe("VM is not running");
    expect((await getVm(vm.id)).body.data.actions).toEqual(["start", "resize", "delete"]);
  });

  it("starts, and refuses a start of a running VM", async () => {
    const t = await done(await act(vm.id, "start"));
    expect(t.steps[0]).toMatchObject({ name: "Start VM", provider_task_id: expect.stringMatching(/:qmstart:/) });
    expect(simVm(vm.vmid)!.running).toBe(true);
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("running");
    const again = await act(vm.id, "start");
    expect(again.status).toBe(409);
    expect(again.body.message).toBe("VM is already running");
  });

  it("reboots, with PVE's task and log", async () => {
    const before = simVm(vm.vmid)!.startedAt;
    const t = await done(await act(vm.id, "reboot"));
    expect(t.steps[0]).toMatchObject({ name: "Reboot VM", provider_task_id: expect.stringMatching(/:qmreboot:/) });
    expect(simVm(vm.vmid)!.running).toBe(true);
    expect(simVm(vm.vmid)!.startedAt).not.toBe(before);
  });

  it("shuts down cleanly, and stops a guest that does not shut down", async () => {
    const clean = await done(await act(vm.id, "shutdown"));
    expect(clean.steps.map((s) => s.name)).toEqual(["Shut down the guest", "Stop if still running"]);
    expect(clean.steps[0]!.provider_task_id).toMatch(/:qmshutdown:/);
    expect(clean.steps[1]!.provider_task_id).toBeNull();
    expect(logText(clean)).toMatch(/shut down cleanly; no stop needed/);
    expect(simVm(vm.vmid)!.running).toBe(false);

    await done(await act(vm.id, "start"));
    sim.faults.failTask({ type: "qmshutdown", message: "VM quit/powerdown failed - got timeout" });
    const forced = await done(await act(vm.id, "shutdown"));
    expect(logText(forced)).toMatch(/did not shut down cleanly: VM quit\/powerdown failed - got timeout/);
    expect(logText(forced)).toMatch(/still running after the shutdown request; stopping it/);
    expect(forced.steps[1]!.provider_task_id).toMatch(/:qmstop:/);
    expect(simVm(vm.vmid)!.running).toBe(false);
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("stopped");
    await done(await act(vm.id, "start"));
  });

  it("grows cores, memory and disk; on a running VM cores and memory are pending until a reboot", async () => {
    expect(await usage()).toMatchObject({ cpuCores: 2, memoryMb: 2048, diskGb: 40, vms: 1 });
    const accepted = await resize(vm.id, { cpuCores: 3, memorySize: 4096, diskSize: 50 });
    expect(accepted.body.message).toBe("Resize of web-1 accepted");
    // The new size counts at once, while the task runs.
    expect(await usage()).toMatchObject({ cpuCores: 3, memoryMb: 4096, diskGb: 50 });
    const t = await done(accepted);
    expect(t.kind).toBe("vm.resize");
    expect(t.steps.map((s) => s.name)).toEqual(["Reserve quota", "Set CPU cores and memory", "Grow disk", "Check the configuration PVE reports"]);
    expect(t.steps[2]!.provider_task_id).toMatch(/:resize:/);
    expect(logText(t)).toMatch(/PVE keeps the new CPU cores and memory pending/);
    const simulated = simVm(vm.vmid)!;
    expect(simulated.pending).toMatchObject({ cores: "3", memory: "4096" });
    expect(simulated.config.scsi0).toMatch(/size=50G/);

    await done(await act(vm.id, "reboot"));
    expect(simVm(vm.vmid)!.config).toMatchObject({ cores: "3", memory: "4096" });
    expect(simVm(vm.vmid)!.pending).toEqual({});
    expect((await getVm(vm.id)).body.data).toMatchObject({ cpuCores: 3, status: "running" });
  });

  it("refuses to shrink a disk, and a resize that changes nothing", async () => {
    const shrink = await resize(vm.id, { diskSize: 40 });
    expect(shrink.status).toBe(400);
    expect(shrink.body.message).toBe("Disks cannot shrink: 40 GB is smaller than the current 50 GB");
    const same = await resize(vm.id, { cpuCores: 3 });
    expect(same.status).toBe(400);
    expect(same.body.message).toMatch(/^Nothing to change/);
    const bad = await resize(vm.id, {});
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("Give at least one of cpuCores, memorySize (MB), diskSize (GB)");
  });

  it("checks the disk PVE has, not only the record, and records the size PVE reports after a resize", async () => {
    // The record is behind reality (e.g. written before issue 9): PVE has 50 GB and 4096 MB.
    await db().vm.update({ where: { id: vm.id }, data: { diskGb: 45, memoryMb: 3072 } });
    const notLarger = await resize(vm.id, { diskSize: 48 });
    expect(notLarger.status).toBe(400);
    expect(notLarger.body.message).toBe("diskSize must be larger than the current 50 GB: the VM's disk already has 50 GB, and disks only grow");
    const t = await done(await resize(vm.id, { diskSize: 52 }));
    expect(t.status, t.error ?? "").toBe("completed");
    expect(logText(t)).toMatch(/PVE reports 3 vCPUs \(1 socket x 3 cores\), 4096 MB memory and a 52 GB boot disk \(scsi0\)/);
    expect(await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ cpuCores: 3, memoryMb: 4096, diskGb: 52 });
  });

  it("checks growth against the plan, and always allows shrinking, even over a lowered plan", async () => {
    const perVm = await resize(vm.id, { cpuCores: 5 });
    expect(perVm.status).toBe(400);
    expect(perVm.body.message).toBe("Requested resources exceed the per VM limits of your compute resource plan");
    expect(perVm.body.data!.denials).toEqual([expect.objectContaining({ scope: "per_vm", dimension: "cpuCores", limit: 4, requested: 5 })]);

    // The plan is lowered below what the VM already uses: growth is blocked, nothing is taken away.
    await db().plan.update({ where: { name: "small" }, data: { maxCpuCoresSum: 2, maxMemoryMbSum: 2048 } });
    try {
      const over = await resize(vm.id, { cpuCores: 4 });
      expect(over.status).toBe(400);
      expect(over.body).toMatchObject({ code: 400, message: "Requested resources exceed the available limits of your compute resource plan" });
      expect(over.body.data!.denials).toEqual([
        { scope: "aggregate", dimension: "cpuCores", limit: 2, used: 3, requested: 1, message: "vCPU cores: 3 of 2 cores in use, 1 more requested, 0 left" },
      ]);
      expect((await getVm(vm.id)).body.data).toMatchObject({ status: "running", cpuCores: 3 });
      // Growing the disk alone still fits (disk has room); shrinking CPU and memory is allowed over the lowered plan.
      const t = await done(await resize(vm.id, { cpuCores: 2, memorySize: 3072, diskSize: 60 }));
      expect(logText(t)).toMatch(/Disk scsi0 grown from 52 GB to 60 GB/);
      expect(simVm(vm.vmid)!.pending).toMatchObject({ cores: "2", memory: "3072" });
      expect(await usage()).toMatchObject({ cpuCores: 2, memoryMb: 3072, diskGb: 60 });
    } finally {
      await db().plan.update({ where: { name: "small" }, data: { maxCpuCoresSum: 8, maxMemoryMbSum: 16384 } });
    }
  });

  it("lets only the owner or an admin act: support may look, others are told there is no such VM", async () => {
    expect((await act(vm.id, "stop", "bob")).body).toEqual({ code: 404, message: "VM not found", data: null });
    expect((await getVm(vm.id, "bob")).status).toBe(404);
    expect((await act(vm.id, "stop", "sue")).body).toEqual({ code: 403, message: "Only the VM's owner or an admin may manage it", data: null });
    const seen = await getVm(vm.id, "sue");
    expect(seen.status).toBe(200);
    expect(seen.body.data.actions).toEqual([]);
    // An admin stops it; the owner can follow the admin's task.
    const byAdmin = await act(vm.id, "stop", "root");
    expect(byAdmin.status).toBe(200);
    const t = await settled(byAdmin.body.data!.task_id);
    expect(t.status).toBe("completed");
    expect(logText(t)).toMatch(/by root@example\.com/);
    const audit = await db().auditEvent.findMany({ where: { targetId: vm.id }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["vm.create", "vm.stop", "vm.start", "vm.reboot", "vm.shutdown", "vm.resize"]));
    expect(audit.at(-1)).toMatchObject({ action: "vm.stop", actorEmail: "root@example.com" });
  });

  it("deletes: the VM is gone from the cluster and from My VMs, and its quota is released", async () => {
    expect(await usage()).toMatchObject({ vms: 1 });
    const t = await done(await remove(vm.id));
    expect(t.kind).toBe("vm.delete");
    expect(t.steps.map((s) => s.name)).toEqual(["Stop VM", "Destroy VM and its disks"]);
    expect(t.steps[1]!.provider_task_id).toMatch(/:qmdestroy:/);
    expect(logText(t)).toMatch(/is already stopped/);
    expect(simVm(vm.vmid)).toBeUndefined();
    const row = await db().vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(row).toMatchObject({ status: "deleted", deletedAt: expect.any(Date) });
    expect(await usage()).toMatchObject({ cpuCores: 0, memoryMb: 0, diskGb: 0, vms: 0 });
    const list = await call<{ id: string }[]>(listRoute as Handler, "GET", "/api/v1/vms", {});
    expect(list.body.data.map((v) => v.id)).not.toContain(vm.id);
    expect((await getVm(vm.id)).body).toEqual({ code: 404, message: "VM not found", data: null });
    expect((await act(vm.id, "start")).status).toBe(404);
    expect((await remove(vm.id)).status).toBe(404);
  });

  it("deleting a running VM stops it first; a VM already gone from the cluster counts as deleted", async () => {
    const running = await createVm("web-2", { cpuCores: 1, memorySize: 1024, diskSize: 32 });
    await settled(running.taskId);
    const t = await done(await remove(running.id));
    expect(t.steps[0]!.provider_task_id).toMatch(/:qmstop:/);
    expect(simVm(running.vmid)).toBeUndefined();

    const vanished = await createVm("web-3", { cpuCores: 1, memorySize: 1024, diskSize: 32 });
    await settled(vanished.taskId);
    // Removed behind the portal's back, through PVE's own API.
    const pve = new PveClient({ baseUrl: sim.url, auth: { type: "token", tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }, tls: { verify: true } });
    await pve.waitForTask(await pve.stop("pve1", vanished.vmid), { pollMs: 100 });
    await pve.waitForTask(await pve.destroy("pve1", vanished.vmid), { pollMs: 100 });
    pve.close();
    const gone = await done(await remove(vanished.id));
    expect(logText(gone)).toMatch(/no longer exists; nothing to destroy/);
    expect(await usage()).toMatchObject({ vms: 0 });
  });
});

describe("failing tasks leave the VM, and a failed resize restores its size", () => {
  it("a failing resize: the task says why, the old size counts again and PVE's cores and memory are set back", async () => {
    const vm = await createVm("fragile", { cpuCores: 1, memorySize: 1024, diskSize: 32 });
    const created = await settled(vm.taskId);
    expect(created.status, `${created.error}`).toBe("completed");
    await done(await act(vm.id, "stop"));
    sim.faults.failTask({ type: "resize", message: "resize failed: storage 'NFS' is full", vmid: vm.vmid });
    const accepted = await resize(vm.id, { cpuCores: 2, memorySize: 2048, diskSize: 40 });
    expect(accepted.status).toBe(200);
    expect(await usage()).toMatchObject({ cpuCores: 2, memoryMb: 2048, diskGb: 40 });
    const t = await settled(accepted.body.data!.task_id);
    expect(t.status).toBe("failed");
    // The user reads what failed in words; the provider's own are kept for staff (issue 7, finding 9).
    expect(t.error).toBe("The operation failed on the provider; try again, or ask support if it fails again");
    expect((await db().task.findUniqueOrThrow({ where: { id: accepted.body.data!.task_id } })).errorDetail).toContain("resize failed: storage 'NFS' is full");
    expect(t.steps.map((s) => s.status)).toEqual(["completed", "completed", "failed", "pending"]);
    expect(logText(t)).toMatch(/The previous size \(1 vCPU, 1024 MB, 32 GB\) counts against the quota again/);
    expect(await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ cpuCores: 1, memoryMb: 1024, diskGb: 32, status: "stopped", deletedAt: null });
    expect(await usage()).toMatchObject({ cpuCores: 1, memoryMb: 1024, diskGb: 32, vms: 1 });
    expect(simVm(vm.vmid)!.config).toMatchObject({ cores: "1", memory: "1024" });
    expect(simVm(vm.vmid)!.config.scsi0).toMatch(/size=32G/);

    // A failing delete: the VM stays, with its quota, and the task says why.
    sim.faults.failTask({ type: "qmdestroy", message: "can't remove VM - storage 'NFS' is offline", vmid: vm.vmid });
    const del = await remove(vm.id);
    const failed = await settled(del.body.data!.task_id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe("The operation failed on the provider; try again, or ask support if it fails again");
    expect((await db().task.findUniqueOrThrow({ where: { id: del.body.data!.task_id } })).errorDetail).toContain("can't remove VM - storage 'NFS' is offline");
    expect(logText(failed)).toMatch(/The VM was not deleted/);
    expect(simVm(vm.vmid)).toBeDefined();
    expect(await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ deletedAt: null, status: "stopped" });
    expect(await usage()).toMatchObject({ vms: 1 });

    // A failing start leaves the portal's record with what PVE reports.
    sim.faults.failTask({ type: "qmstart", message: "start failed: QEMU exited with code 1", vmid: vm.vmid });
    const start = await settled((await act(vm.id, "start")).body.data!.task_id);
    expect(start).toMatchObject({ status: "failed", error: "The operation failed on the provider; try again, or ask support if it fails again" });
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("stopped");
  });
});
