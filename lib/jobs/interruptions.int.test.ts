import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { issueSessionToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { stopBoss } from "../jobs/boss";
import { startWorker } from "../jobs/worker";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase } from "../testing/test-db";
import { gpuOffer, newGpuDouble, withGpuDouble } from "../testing/gpu-double";
import { monthWindow, vmCost } from "../vms/state-spans";
import { AUTO_RESTART_REASON, checkInterruptions } from "./interruptions";
import { SHOWBACK_COLUMNS, showbackCsv } from "../vms/showback";

/**
 * Interruptions of interruptible rentals and cost as it happens (issue 11, items 3 and 5),
 * provider-neutral: the PVE simulator's real client wrapped by the test-only GPU double
 * (lib/testing/gpu-double.ts), which reports a VM `interrupted` when a test says so.
 */
const double = vi.hoisted(() => ({ current: null as unknown as ReturnType<typeof import("../testing/gpu-double").newGpuDouble> }));
vi.mock("../providers/catalog", async (orig) => {
  const real = await orig<typeof import("../providers/catalog")>();
  const pve = real.PROVIDER_CATALOG.pve;
  return {
    ...real,
    PROVIDER_CATALOG: { ...real.PROVIDER_CATALOG, pve: { ...pve, capabilities: { ...pve.capabilities, gpus: { offered: true, rentalTypes: ["on_demand", "interruptible"] } } } },
  };
});
vi.mock("../providers/registry", async (orig) => {
  const real = await orig<typeof import("../providers/registry")>();
  return { ...real, providerFor: (row: Parameters<typeof real.providerFor>[0]) => withGpuDouble(real.providerFor(row), double.current) };
});

let database: { drop: () => Promise<void> };
let sim: PveSimulator;
let token: string;
double.current = newGpuDouble();

beforeAll(async () => {
  process.env.HANGAR_TASK_HEARTBEAT_SECONDS = "10";
  process.env.HANGAR_JOB_MONITOR_SECONDS = "2";
  database = await useMigratedDatabase();
  sim = await startPveSimulator(demoClusterOptions({ authFailureDelayMs: 0, agentDelayMs: 50, taskDurationMs: { qmclone: 100, qmstart: 50, qmstop: 50, qmconfig: 20, resize: 20 } }));
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }],
    templates: [{ name: "cuda", provider: "lab", node: "pve1", vmid: 9000, public: true, minDiskGb: 20 }],
    plans: [{ name: "gpu", default: true, perVm: { cpuCores: 8, memoryMb: 32768, diskGb: 200, gpus: 4 }, total: { cpuCores: 64, memoryMb: 262144, diskGb: 2000, vms: 10, gpus: 8 } }],
    users: [{ email: "ada@example.com", password: "long-enough-pw", plan: "gpu" }],
  });
  const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  token = (await issueSessionToken(ada.id)).token;
  await startWorker();
}, 60_000);

afterAll(async () => {
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

beforeEach(() => {
  double.current.offers = [gpuOffer({ total: 4, available: 4, rentalTypes: ["on_demand", "interruptible"] })];
  double.current.status.clear();
});

async function settled(taskId: string) {
  for (let i = 0; i < 200; i++) {
    const t = await db().task.findUniqueOrThrow({ where: { id: taskId } });
    if (["completed", "failed", "cancelled"].includes(t.status)) return t;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${taskId} did not settle`);
}

async function rent(name: string, autoRestart: boolean) {
  const res = await createRoute(
    new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ template_id: "cuda", name, target: "pve1", cpuCores: 2, memorySize: 2048, diskSize: 32, gpuType: "4090", gpuCount: 1, rentalType: "interruptible", autoRestart }),
    }),
    { params: Promise.resolve({}) },
  );
  const body = (await res.json()) as { message: string; data: { task_id: string } };
  expect(res.status, body.message).toBe(200);
  expect((await settled(body.data.task_id)).status).toBe("completed");
  return db().vm.findFirstOrThrow({ where: { name, deletedAt: null } });
}

describe("interruptions", () => {
  it("without auto-restart: the VM shows interrupted, its owner is told, GPU time stops; it stays interrupted", async () => {
    const vm = await rent("spot-1", false);
    expect(vm.status).toBe("running");
    expect(await db().vmStateSpan.findMany({ where: { vmId: vm.id } })).toEqual([expect.objectContaining({ state: "running", endedAt: null })]);
    expect((await checkInterruptions()).interrupted).toEqual([]);
    double.current.status.set(vm.providerRefId!, "interrupted");
    expect((await checkInterruptions()).interrupted).toEqual([vm.id]);
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("interrupted");
    const note = await db().notification.findFirstOrThrow({ where: { userId: vm.ownerId, kind: "vm_interrupted" } });
    expect(note.title).toBe("Your VM spot-1 was interrupted");
    expect(note.link).toBe(`/vms/${vm.id}`);
    const spans = await db().vmStateSpan.findMany({ where: { vmId: vm.id }, orderBy: { startedAt: "asc" } });
    expect(spans.map((s) => [s.state, s.endedAt === null])).toEqual([
      ["running", false],
      ["interrupted", true],
    ]);
    // Its GPU is free again, but nobody asked for a restart.
    expect((await checkInterruptions()).restarted).toEqual([]);
    expect(await db().task.count({ where: { vmId: vm.id, kind: "vm.start" } })).toBe(0);
  });

  it("with auto-restart: started again once its offer has a GPU free, and the task history says so", async () => {
    const vm = await rent("spot-2", true);
    double.current.status.set(vm.providerRefId!, "interrupted");
    expect((await checkInterruptions()).interrupted).toEqual([vm.id]);
    // Sold out: it waits.
    double.current.offers = [gpuOffer({ total: 4, available: 0, rentalTypes: ["on_demand", "interruptible"] })];
    expect((await checkInterruptions()).restarted).toEqual([]);
    double.current.offers = [gpuOffer({ total: 4, available: 2, rentalTypes: ["on_demand", "interruptible"] })];
    expect((await checkInterruptions()).restarted).toEqual([vm.id]);
    const task = await db().task.findFirstOrThrow({ where: { vmId: vm.id, kind: "vm.start" } });
    double.current.status.delete(vm.providerRefId!);
    expect((await settled(task.id)).status).toBe("completed");
    const lines = (await db().taskLog.findMany({ where: { taskId: task.id }, orderBy: { id: "asc" } })).map((l) => l.line);
    expect(lines.find((l) => l.startsWith("Accepted: start"))).toContain(AUTO_RESTART_REASON);
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("running");
    const spans = await db().vmStateSpan.findMany({ where: { vmId: vm.id }, orderBy: { startedAt: "asc" } });
    expect(spans.map((s) => s.state)).toEqual(["running", "interrupted", "running"]);
  });
});

describe("cost as it happens", () => {
  it("over a simulated day: GPU time only while running, storage every hour, at the VM's rates", async () => {
    const vm = await rent("spot-3", false);
    const day = Date.UTC(2026, 10, 3);
    // The VM is made that day (the showback lists only VMs that existed in the month).
    await db().vm.update({ where: { id: vm.id }, data: { gpuHourly: "0.35", storageHourly: "0.004", createdAt: new Date(day) } });
    await db().vmStateSpan.deleteMany({ where: { vmId: vm.id } });
    const h = (n: number) => new Date(day + n * 3_600_000);
    // 10 h running, 6 h interrupted, 2 h running, 6 h stopped; then deleted.
    for (const [state, from, to] of [["running", 0, 10], ["interrupted", 10, 16], ["running", 16, 18], ["stopped", 18, 24]] as const) {
      await db().vmStateSpan.create({ data: { vmId: vm.id, state, startedAt: h(from), endedAt: h(to) } });
    }
    const row = await db().vm.findUniqueOrThrow({ where: { id: vm.id }, include: { spans: true } });
    const cost = vmCost(row, monthWindow("2026-11"), h(30))!;
    expect(cost.gpu.toString()).toBe("4.2"); // 12 h × 0.35
    expect(cost.storage.toString()).toBe("0.096"); // 24 h × 0.004
    expect(cost.runningHours.toString()).toBe("12");
    // Another month sees none of it.
    expect(vmCost(row, monthWindow("2026-12"), h(30))!.total.toString()).toBe("0");
    // Showback: the month's CSV per user has the VM's row and the total.
    const { csv, filename } = await showbackCsv({ month: "2026-11", user: "ada@example.com" }, h(30));
    expect(filename).toBe("showback-ada@example.com-2026-11.csv");
    const rows = csv.trim().split("\r\n");
    expect(rows[0]).toBe(SHOWBACK_COLUMNS.join(","));
    expect(rows.find((r) => r.includes(vm.id))).toBe(`2026-11,ada@example.com,,${vm.id},spot-3,lab,4090,1,interruptible,0.35,0.004,12.00,24.00,4.20,0.10,4.30,EUR`);
    await expect(showbackCsv({ month: "2026-13", user: "ada@example.com" })).rejects.toThrow("month must be YYYY-MM");
    await expect(showbackCsv({ month: "2026-11" })).rejects.toThrow("Give exactly one of user");
  });
});
