import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPersonalToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { getPool } from "../db/pool";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase } from "../testing/test-db";

/**
 * Scale-out (issue 13): two web processes and two worker processes on one PostgreSQL. Creates
 * sent to both web servers at once are each accepted once and carried out once: no duplicate VM
 * (in the portal or on the provider), no lost task, and a request retried on the other server
 * with the same Idempotency-Key answers the first one's task and makes no second VM.
 */
let database: { url: string; drop: () => Promise<void> };
let sim: PveSimulator;
const children: ChildProcess[] = [];
let webPorts: number[] = [];
const tokens: string[] = [];
const USERS = 4;
const CREATES = 16;

function start(script: string): ChildProcess {
  const tsx = path.join(process.cwd(), "node_modules", "tsx", "dist", "cli.mjs");
  const child = spawn(process.execPath, [tsx, script], {
    env: { ...process.env, DATABASE_URL: database.url, HANGAR_DB_MAX_CONNECTIONS: "4", LOG_LEVEL: "error", HANGAR_JOB_MONITOR_SECONDS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`web process exited (${code}): ${err.slice(-2000)}`)));
  });
}

beforeAll(async () => {
  database = await useMigratedDatabase();
  sim = await startPveSimulator(demoClusterOptions({ authFailureDelayMs: 0, agentDelayMs: 0, taskDurationMs: 20 }));
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true } }],
    templates: [{ name: "ubuntu-24.04", provider: "lab", node: "pve1", vmid: 9000, public: true, ciuser: "ubuntu", minDiskGb: 32 }],
    plans: [{ name: "roomy", default: true, perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 1000, memoryMb: 1_000_000, diskGb: 100_000, vms: 1000 } }],
    users: Array.from({ length: USERS }, (_, i) => ({ email: `scale-${i}@example.com`, password: "long-enough-pw", plan: "roomy" })),
  });
  for (let i = 0; i < USERS; i++) {
    const user = await db().user.findUniqueOrThrow({ where: { email: `scale-${i}@example.com` } });
    tokens.push((await createPersonalToken(user.id, { name: "scale" })).token);
  }
  const webs = [start("lib/testing/web-node.ts"), start("lib/testing/web-node.ts")];
  start("lib/jobs/worker-main.ts");
  start("lib/jobs/worker-main.ts");
  webPorts = await Promise.all(webs.map(portOf));
}, 120_000);

afterAll(async () => {
  await Promise.all(
    children.map((c) => {
      if (c.exitCode !== null) return undefined;
      const exited = new Promise((r) => c.once("exit", r));
      c.kill("SIGTERM");
      return exited;
    }),
  );
  await sim?.stop();
  await database?.drop();
});

function create(port: number, token: string, name: string, key?: string): Promise<{ status: number; body: { data: { task_id: string; vmid: string } | null; message: string } }> {
  return fetch(`http://127.0.0.1:${port}/api/v1/vm/manage/createFromTemplate`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...(key ? { "Idempotency-Key": key } : {}) },
    body: JSON.stringify({ template_id: "ubuntu-24.04", name, target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 }),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}

// Each web process hands out provider ids from the same next free one: they claim them in the
// database (lib/vms/ref-claims.ts), or the loser of each collision retried in step with the other
// process and answered 500 after five tries (one run in two).
it("two web servers and two workers on one database accept and carry out every create once", async () => {
  const answers = await Promise.all([
    ...Array.from({ length: CREATES }, (_, i) => create(webPorts[i % 2]!, tokens[i % USERS]!, `scale-vm-${i}`)),
    create(webPorts[0]!, tokens[0]!, "scale-vm-retried", "retry-1"),
  ]);
  // The same request retried on the other server (its client lost the answer): the same task, no second VM.
  const retried = await create(webPorts[1]!, tokens[0]!, "scale-vm-retried", "retry-1");
  for (const a of [...answers, retried]) expect(a.status, a.body.message).toBe(200);
  expect(retried.body.data).toEqual(answers.at(-1)!.body.data);
  const taskIds = new Set(answers.map((a) => a.body.data!.task_id));
  expect(taskIds.size).toBe(CREATES + 1);

  // Every accepted task ends (the workers share them out); a generous deadline, never a sleep.
  const deadline = Date.now() + 90_000;
  let open = Infinity;
  while (open > 0 && Date.now() < deadline) {
    open = await db().task.count({ where: { id: { in: [...taskIds] }, status: { in: ["pending", "in_progress"] } } });
    if (open > 0) await new Promise((r) => setTimeout(r, 200));
  }
  const tasks = await db().task.findMany({ where: { id: { in: [...taskIds] } }, select: { status: true, error: true } });
  expect(tasks.filter((t) => t.status !== "completed")).toEqual([]);
  expect(tasks).toHaveLength(CREATES + 1);

  const vms = await db().vm.findMany({ where: { deletedAt: null }, select: { name: true, providerRefId: true, status: true } });
  expect(vms).toHaveLength(CREATES + 1);
  expect(new Set(vms.map((v) => v.name)).size).toBe(CREATES + 1);
  expect(new Set(vms.map((v) => v.providerRefId)).size).toBe(CREATES + 1);
  expect(vms.every((v) => v.status === "running")).toBe(true);

  // On the provider: each VM exactly once, under the id the portal recorded.
  const made = [...sim.state.vms.values()].filter((v) => String(v.config.name ?? "").startsWith("scale-vm-"));
  expect(made).toHaveLength(CREATES + 1);
  expect(new Set(made.map((v) => String(v.vmid)))).toEqual(new Set(vms.map((v) => v.providerRefId)));

  // Each task's job ran to completion once (none lost, none left behind). A job is completed just
  // after its task (the task's end is committed, its requester told, then the handler returns).
  const jobStates = async () =>
    Object.fromEntries(
      (await getPool().query<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM pgboss.job WHERE name = 'vm.create' GROUP BY state`)).rows.map((r) => [r.state, Number(r.n)]),
    );
  let jobs = await jobStates();
  while (jobs.active && Date.now() < deadline + 10_000) {
    await new Promise((r) => setTimeout(r, 200));
    jobs = await jobStates();
  }
  expect(jobs).toEqual({ completed: CREATES + 1 });
}, 150_000);
