import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { GET as taskRoute } from "@/app/api/v1/tasks/[taskId]/route";
import { DELETE as deleteRoute } from "@/app/api/v1/vms/[vmId]/route";
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
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase as migratedDatabase } from "./test-db";

/**
 * Test helper (integration tests only): a migrated database, the PVE simulator as provider
 * "lab", users ada and bob (user), sue (support) and root (admin) with API tokens, a worker
 * in this process, and calls of the real API route handlers.
 */
export type Who = "ada" | "bob" | "sue" | "root";
export type Envelope<T> = { code: number; message: string; data: T };
export type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type Reply<T> = { status: number; body: Envelope<T>; headers: Headers };

export type TaskData = {
  task_id: string;
  kind: string;
  status: string;
  progress: number;
  error: string | null;
  error_detail?: string | null;
  steps: { name: string; status: string; upid: string | null; error: string | null; error_detail?: string | null }[];
  logs: { line: string; level: string; detail?: string | null }[];
};

export type VmApi = {
  sim: PveSimulator;
  tokens: Record<Who, string>;
  call<T>(handler: Handler, method: string, path: string, params: Record<string, string>, options?: { as?: Who; body?: unknown; headers?: Record<string, string> }): Promise<Reply<T>>;
  create(body: Record<string, unknown>, options?: { as?: Who; headers?: Record<string, string> }): Promise<Reply<{ task_id: string; vm_name: string; vmid: string } | null>>;
  act(vmId: string, action: "start" | "stop" | "shutdown" | "reboot", options?: { as?: Who; headers?: Record<string, string> }): Promise<Reply<{ task_id: string } | null>>;
  resize(vmId: string, body: unknown, options?: { as?: Who; headers?: Record<string, string> }): Promise<Reply<{ task_id: string } | null>>;
  remove(vmId: string, options?: { as?: Who; headers?: Record<string, string> }): Promise<Reply<{ task_id: string } | null>>;
  task(taskId: string, as?: Who): Promise<TaskData>;
  settled(taskId: string, timeoutMs?: number): Promise<TaskData>;
  /** Creates a VM `name` (1 vCPU, 1 GB, 32 GB) and waits until it runs. */
  runningVm(name: string): Promise<{ id: string; vmid: number }>;
  stop(): Promise<void>;
};

/** A template entry of the configuration file (checked by applyConfig). */
type TemplateConfig = Record<string, unknown>;

/** `templates`: more templates of provider "lab" beside "ubuntu-24.04" (public to everyone). */
export async function startVmApi(options: { simulator?: Parameters<typeof demoClusterOptions>[0]; worker?: boolean; templates?: TemplateConfig[] } = {}): Promise<VmApi> {
  process.env.HANGAR_TASK_HEARTBEAT_SECONDS ??= "10";
  process.env.HANGAR_JOB_MONITOR_SECONDS ??= "2";
  const database = await migratedDatabase();
  const sim = await startPveSimulator(
    demoClusterOptions({
      authFailureDelayMs: 0,
      agentDelayMs: 100,
      taskDurationMs: { qmclone: 150, qmstart: 80, qmstop: 60, qmshutdown: 80, qmreboot: 100, qmdestroy: 60, resize: 60, qmconfig: 30 },
      ...options.simulator,
    }),
  );
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true } }],
    templates: [{ name: "ubuntu-24.04", provider: "lab", node: "pve1", vmid: 9000, public: true, ciuser: "ubuntu", minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 32 }, ...(options.templates ?? [])],
    plans: [{ name: "big", default: true, perVm: { cpuCores: 8, memoryMb: 65536, diskGb: 500 }, total: { cpuCores: 64, memoryMb: 262144, diskGb: 4000, vms: 20 } }],
    users: [
      { email: "ada@example.com", password: "long-enough-pw", role: "user", plan: "big" },
      { email: "bob@example.com", password: "long-enough-pw", role: "user", plan: "big" },
      { email: "sue@example.com", password: "long-enough-pw", role: "support", plan: "big" },
      { email: "root@example.com", password: "long-enough-pw", role: "admin", plan: "big" },
    ],
  });
  const tokens: Record<Who, string> = { ada: "", bob: "", sue: "", root: "" };
  for (const name of Object.keys(tokens) as Who[]) {
    const user = await db().user.findUniqueOrThrow({ where: { email: `${name}@example.com` } });
    tokens[name] = (await issueSessionToken(user.id)).token;
  }
  if (options.worker !== false) await startWorker();

  const call: VmApi["call"] = async (handler, method, path, params, o = {}) => {
    const res = await handler(
      new Request(`http://hangar.test${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[o.as ?? "ada"]}`, "content-type": "application/json", ...o.headers },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      }),
      { params: Promise.resolve(params) },
    );
    return { status: res.status, body: await res.json(), headers: res.headers };
  };
  const routes = { start: startRoute, stop: stopRoute, shutdown: shutdownRoute, reboot: rebootRoute } as unknown as Record<string, Handler>;
  const api: VmApi = {
    sim,
    tokens,
    call,
    create: (body, o = {}) => call(createRoute as Handler, "POST", "/api/v1/vm/manage/createFromTemplate", {}, { ...o, body }),
    act: (vmId, action, o = {}) => call(routes[action]!, "POST", `/api/v1/vms/${vmId}/${action}`, { vmId }, o),
    resize: (vmId, body, o = {}) => call(resizeRoute as Handler, "POST", `/api/v1/vms/${vmId}/resize`, { vmId }, { ...o, body }),
    remove: (vmId, o = {}) => call(deleteRoute as Handler, "DELETE", `/api/v1/vms/${vmId}`, { vmId }, o),
    task: async (taskId, as = "ada") => (await call<TaskData>(taskRoute as Handler, "GET", `/api/v1/tasks/${taskId}`, { taskId }, { as })).body.data,
    settled: async (taskId, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const t = await api.task(taskId, "root");
        if (["completed", "failed", "cancelled"].includes(t.status)) return t;
        if (Date.now() > deadline) throw new Error(`task ${taskId} still ${t.status}: ${JSON.stringify(t.steps)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    runningVm: async (name) => {
      const res = await api.create({ template_id: "ubuntu-24.04", name, target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 });
      if (res.status !== 200 || !res.body.data) throw new Error(`create ${name}: ${res.status} ${res.body.message}`);
      const t = await api.settled(res.body.data.task_id);
      if (t.status !== "completed") throw new Error(`create ${name}: ${t.status} ${t.error}`);
      const vm = await db().vm.findFirstOrThrow({ where: { name, deletedAt: null } });
      return { id: vm.id, vmid: Number(res.body.data.vmid) };
    },
    stop: async () => {
      await stopBoss();
      await sim.stop();
      await database.drop();
    },
  };
  return api;
}
