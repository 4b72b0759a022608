/**
 * `npm run bench`: Hangar's performance benchmark (issue 13). Not a test: CI does not run it.
 *
 * Starts what it needs: a fresh database on the PostgreSQL server of BENCH_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres; the database is dropped at the end unless
 * --keep), the PVE fake (scripts/bench/simulator.ts, every provider task --task-ms long), a
 * production build when there is none (`next build`), the portal (lib/server/start.ts, with its
 * in-process worker) and --workers more workers. Seeds the volumes, runs pgbench's single-row
 * insert and the HTTP load (autocannon) in the same run, and prints one table: measure, figure,
 * goal, ratio to pgbench.
 *
 *   npm run bench -- [--clients 50] [--duration 15] [--task-ms 50] [--users 50] [--workers 0]
 *                    [--vms 10000] [--log-lines 5000] [--drain 120] [--port 3917] [--keep] [--profile]
 *                    [--no-web-worker]   (the portal runs no worker: give --workers 1 or more)
 *                    [--tasks 1000000] [--task-logs 20000000] [--no-task-volume]
 *
 * Last, with the portal idle, the support monitor and search at scale (issue 12): --tasks tasks
 * and --task-logs log lines are seeded into a second database (scripts/seed-tasks.ts, in
 * PostgreSQL itself: several minutes and a few GB for the default million) and every monitor view
 * and search is timed there. --no-task-volume (or --tasks 0) skips it for a quick run.
 *
 * --profile writes a V8 CPU profile of the portal process into the run directory (read it with
 * `npx tsx scripts/bench/profile-top.ts FILE.cpuprofile`, or open it in Chrome's DevTools).
 * Durations are in seconds. On a shared machine run it under the heavy-work lock.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { firstJsonLine, startTsx, waitForHealthy, type Child } from "./processes";

type Options = {
  clients: number;
  duration: number;
  taskMs: number;
  users: number;
  workers: number;
  vms: number;
  logLines: number;
  drain: number;
  port: number;
  keep: boolean;
  profile: boolean;
  webWorker: boolean;
  /** The support monitor's volume: tasks and log lines (0 tasks: not measured). */
  tasks: number;
  taskLogs: number;
};

function parseOptions(argv: string[]): Options {
  const value = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0, got "${raw}"`);
    return n;
  };
  if (argv.includes("--help")) {
    console.log(readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]);
    process.exit(0);
  }
  return {
    clients: Math.max(1, value("clients", 50)),
    duration: Math.max(1, value("duration", 15)),
    taskMs: value("task-ms", 50),
    users: Math.max(1, value("users", 50)),
    workers: value("workers", 0),
    vms: value("vms", 10_000),
    logLines: value("log-lines", 5_000),
    drain: value("drain", 120),
    port: value("port", 3917),
    keep: argv.includes("--keep"),
    profile: argv.includes("--profile"),
    webWorker: !argv.includes("--no-web-worker"),
    tasks: argv.includes("--no-task-volume") ? 0 : Math.floor(value("tasks", 1_000_000)),
    taskLogs: Math.floor(value("task-logs", 20_000_000)),
  };
}

type Row = { measure: string; figure: string; goal: string; ratio?: string; met?: boolean | null };

const ms = (n: number) => `${Math.round(n)} ms`;
const perS = (n: number) => `${n.toFixed(1)}/s`;

/** pgbench's single-row insert at `clients` clients for `seconds` seconds: transactions per second. */
async function runPgbench(databaseUrl: string, clients: number, seconds: number, dir: string): Promise<number> {
  const which = spawnSync("pgbench", ["--version"], { encoding: "utf8" });
  if (which.error || which.status !== 0) {
    throw new Error("pgbench was not found. On Debian/Ubuntu it comes with the PostgreSQL server package: `apt-get install postgresql-15` (or the version of your server), then run the benchmark again.");
  }
  const script = path.join(dir, "insert.sql");
  writeFileSync(script, "\\set v random(1, 1000000)\nINSERT INTO bench_insert (v) VALUES (:v);\n");
  const url = new URL(databaseUrl);
  // Asynchronously: this process's event loop stays free (children's exits are noticed meanwhile).
  const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      "pgbench",
      ["-n", "-c", String(clients), "-j", String(Math.min(clients, os.cpus().length)), "-T", String(seconds), "-f", script, "-h", url.hostname, "-p", url.port || "5432", "-U", decodeURIComponent(url.username || "postgres"), url.pathname.slice(1)],
      { env: { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(run.stdout)?.[1] ?? /tps = ([\d.]+)/.exec(run.stdout)?.[1];
  if (run.status !== 0 || !tps) throw new Error(`pgbench failed:\n${run.stdout}\n${run.stderr}`);
  return Number(tps);
}

type LoadResult = { rps: number; ok: number; other: number; p50: number; p99: number; seconds: number };

/**
 * `clients` connections for `seconds` seconds against `route`; each connection is one of the
 * `tokens` (round robin) and `body()` makes each request's body.
 */
async function load(base: string, route: { method: "GET" | "POST"; path: string; body?: () => string }, tokens: string[], clients: number, seconds: number): Promise<LoadResult> {
  await settle(base);
  let next = 0;
  const result = await autocannon({
    url: base,
    connections: clients,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: route.method,
        path: route.path,
        headers: { "content-type": "application/json" },
        setupRequest: (req) => (route.body ? { ...req, body: route.body() } : req),
      },
    ],
    setupClient: (client) => {
      client.setHeaders({ "content-type": "application/json", authorization: `Bearer ${tokens[next++ % tokens.length]}` });
    },
  });
  const ok = result["2xx"];
  const other = result.non2xx + result.errors + result.timeouts;
  return { rps: ok / seconds, ok, other, p50: result.latency.p50, p99: result.latency.p99, seconds };
}

/**
 * Waits until the portal answers a trivial request quickly again (up to 30 s), so that one
 * phase's backlog (requests still being served after the load stopped) is not measured in the next.
 */
async function settle(base: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const t0 = performance.now();
    await fetch(`${base}/api/health`).then((r) => r.arrayBuffer(), () => undefined);
    if (performance.now() - t0 < 50) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The gzip size of the JavaScript a browser loads for the New VM wizard: every script the page's HTML names. */
async function wizardFirstLoadJs(base: string, cookie: string): Promise<{ bytes: number; scripts: number }> {
  const page = await fetch(`${base}/vms/new`, { headers: { cookie: `next-auth.session-token=${cookie}` }, redirect: "manual" });
  if (page.status !== 200) throw new Error(`GET /vms/new answered ${page.status}`);
  const html = await page.text();
  const sources = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+\.js[^"]*)"/g)].map((m) => m[1]!))];
  let bytes = 0;
  for (const src of sources) {
    const body = Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer());
    bytes += gzipSync(body, { level: 9 }).length;
  }
  return { bytes, scripts: sources.length };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(path.join(os.tmpdir(), "hangar-bench-"));
  const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  // Not named like the test databases (hangar_t_…, hangar_e2e_…), which test runs clean up.
  const dbName = `bench_hangar_${Date.now()}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const children: Child[] = [];
  const rows: Row[] = [];
  let taskDb: string | undefined;
  const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);
  say(`run directory ${dir} (process logs); database ${dbName}`);

  const admin = new pg.Client({ connectionString: adminUrl });
  // A connection ended by the server (the database dropped under us) fails the run, with cleanup.
  admin.on("error", (error) => say(`admin connection: ${error.message}`));
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  try {
    if (!existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
      say("no production build: running `next build` (once)");
      const build = spawnSync(process.execPath, [path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next"), "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
      if (build.status !== 0) throw new Error("next build failed");
    }

    const sim = startTsx("simulator", "scripts/bench/simulator.ts", ["--task-ms", String(options.taskMs)], {}, dir, { readStdout: true });
    children.push(sim);
    const simInfo = await firstJsonLine<{ url: string; tokenId: string; secret: string }>(sim);
    say(`PVE fake at ${simInfo.url}, provider tasks ${options.taskMs} ms`);

    // The lib modules read these when first used: set them before importing any.
    const { generateKey } = await import("../../lib/crypto/secrets");
    const secretKey = generateKey();
    Object.assign(process.env, { DATABASE_URL: databaseUrl, HANGAR_SECRET_KEY: secretKey, HANGAR_DATA_DIR: dir, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" });
    const { prepareEnvironment, runMigrations } = await import("../../lib/server/bootstrap");
    prepareEnvironment();
    await runMigrations(databaseUrl);
    const { seed } = await import("./seed");
    say(`seeding ${options.users} users, ${options.vms} VMs of one user, a task with ${options.logLines} log lines`);
    const seeded = await seed({ databaseUrl, simulatorUrl: simInfo.url, tokenId: simInfo.tokenId, secret: simInfo.secret, users: options.users, vmCount: options.vms, logLines: options.logLines });
    const { createSession } = await import("../../lib/auth/sessions");
    const { encode } = await import("next-auth/jwt");
    const { env } = await import("../../lib/env");
    const { sid } = await createSession(seeded.wizardUser.id);
    const cookie = await encode({ token: { sid, uid: seeded.wizardUser.id, email: seeded.wizardUser.email }, secret: env().NEXTAUTH_SECRET! });
    const { closePool } = await import("../../lib/db/pool");
    await closePool();

    if (!options.webWorker && options.workers < 1) throw new Error("--no-web-worker needs --workers 1 or more");
    const portalEnv = { HANGAR_WEB_WORKER: String(options.webWorker), DATABASE_URL: databaseUrl, HANGAR_SECRET_KEY: secretKey, HANGAR_DATA_DIR: dir, HANGAR_DEMO: "off", PORT: String(options.port), HANGAR_HOST: "127.0.0.1", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", NEXTAUTH_URL: `http://127.0.0.1:${options.port}` };
    const nodeFlags = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(dir, "profile")}`] : [];
    const portal = startTsx("portal", "lib/server/start.ts", [], portalEnv, dir, { nodeFlags });
    children.push(portal);
    for (let i = 0; i < options.workers; i++) children.push(startTsx(`worker-${i + 1}`, "lib/jobs/worker-main.ts", [], portalEnv, dir));
    const base = `http://127.0.0.1:${options.port}`;
    await waitForHealthy(`${base}/api/health`, portal);
    const workers = options.workers + (options.webWorker ? 1 : 0);
    say(`portal at ${base} with ${workers} worker(s)${options.webWorker ? " (one in the portal's process)" : ""}`);

    const client = new pg.Client({ connectionString: databaseUrl });
    client.on("error", (error) => say(`database connection: ${error.message}`));
    await client.connect();

    // pgbench first, on the same server, with the portal idle.
    await client.query("CREATE TABLE bench_insert (id bigserial PRIMARY KEY, v int NOT NULL, at timestamptz NOT NULL DEFAULT now())");
    say(`pgbench: single-row insert, ${options.clients} clients, ${options.duration} s`);
    const tps = await runPgbench(databaseUrl, options.clients, options.duration, dir);
    rows.push({ measure: `pgbench single-row insert, ${options.clients} clients`, figure: `${Math.round(tps)} TPS`, goal: "(reference)" });
    const ratio = (rps: number) => (rps / tps).toFixed(3);

    // Warm-up: every route once, so that compiling on first use is not measured.
    const heavyToken = [seeded.heavy.token];
    for (const p of ["/api/health", "/api/v1/me", "/api/v1/vms?limit=100", `/api/v1/tasks/${seeded.logTaskId}`]) {
      await fetch(base + p, { headers: { authorization: `Bearer ${seeded.heavy.token}` } }).then((r) => r.arrayBuffer());
    }

    say("floor: GET /api/health (one trivial query), then GET /api/v1/me");
    const floor = await load(base, { method: "GET", path: "/api/health" }, heavyToken, options.clients, Math.min(options.duration, 10));
    rows.push({ measure: `GET /api/health (trivial route), ${options.clients} clients`, figure: `${perS(floor.rps)}, p99 ${ms(floor.p99)}`, goal: "(floor)", ratio: ratio(floor.rps) });
    const me = await load(base, { method: "GET", path: "/api/v1/me" }, seeded.tokens, options.clients, Math.min(options.duration, 10));
    rows.push({ measure: `GET /api/v1/me, ${options.clients} clients`, figure: `${perS(me.rps)}, p50 ${ms(me.p50)}, p99 ${ms(me.p99)}`, goal: "—", ratio: ratio(me.rps) });

    let n = 0;
    const body = () =>
      JSON.stringify({ template_id: "bench-template", name: `bench-${++n}`, target: "pve1", cpuCores: 1, memorySize: 512, diskSize: 1 });
    say("reads: GET /api/v1/vms (10,000 VMs), GET /api/v1/tasks/{id} (5,000 log lines)");
    const readClients = Math.min(options.clients, 10);
    const vms = await load(base, { method: "GET", path: "/api/v1/vms?limit=100" }, heavyToken, readClients, Math.min(options.duration, 10));
    rows.push({ measure: `GET /api/v1/vms?limit=100, ${options.vms} VMs, ${readClients} clients`, figure: `p99 ${ms(vms.p99)} (p50 ${ms(vms.p50)}, ${perS(vms.rps)})`, goal: "< 50 ms", met: vms.p99 < 50 && vms.other === 0 });
    const task = await load(base, { method: "GET", path: `/api/v1/tasks/${seeded.logTaskId}` }, heavyToken, readClients, Math.min(options.duration, 10));
    rows.push({ measure: `GET /api/v1/tasks/{id}, ${options.logLines} log lines, ${readClients} clients`, figure: `p99 ${ms(task.p99)} (p50 ${ms(task.p50)}, ${perS(task.rps)})`, goal: "< 50 ms", met: task.p99 < 50 && task.other === 0 });

    const js = await wizardFirstLoadJs(base, cookie);
    rows.push({ measure: "wizard first-load JavaScript (gzip)", figure: `${(js.bytes / 1024).toFixed(1)} KB in ${js.scripts} scripts`, goal: "< 150 KB", met: js.bytes < 150 * 1024 });

    say("portal overhead: 10 creates one after another, each followed to its end");
    const overheads: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = Date.now();
      const res = await fetch(`${base}/api/v1/vm/manage/createFromTemplate`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${seeded.tokens[0]}` }, body: body() });
      const answer = (await res.json()) as { data?: { task_id?: string } };
      const taskId = answer.data?.task_id;
      if (!taskId) throw new Error(`create refused: ${JSON.stringify(answer)}`);
      let end: number | undefined;
      while (Date.now() - t0 < 60_000) {
        const { rows: t } = await client.query<{ status: string }>(`SELECT status FROM "Task" WHERE id = $1`, [taskId]);
        if (t[0]?.status === "completed" || t[0]?.status === "failed") {
          end = Date.now();
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      if (end === undefined) {
        say(`task ${taskId} did not finish within 60 s: overhead not measured`);
        break;
      }
      const { rows: p } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "TaskStep" WHERE "taskId" = $1 AND "providerTaskId" IS NOT NULL`, [taskId]);
      overheads.push(end - t0 - Number(p[0]!.n) * options.taskMs);
    }
    overheads.sort((a, b) => a - b);
    const medianOverhead = overheads[Math.floor(overheads.length / 2)];
    rows.push(
      medianOverhead === undefined
        ? { measure: "portal overhead per VM (end to end − provider task time)", figure: "not measured: a create did not finish within 60 s", goal: "< 100 ms", met: false }
        : { measure: `portal overhead per VM (end to end − provider task time), median of ${overheads.length}, one at a time`, figure: `${ms(medianOverhead)} (max ${ms(overheads.at(-1)!)})`, goal: "< 100 ms", met: medianOverhead < 100 },
    );

    say(`createFromTemplate: ${options.clients} clients, ${options.users} users, ${options.duration} s`);
    const loadStart = new Date();
    const create = await load(base, { method: "POST", path: "/api/v1/vm/manage/createFromTemplate", body }, seeded.tokens, options.clients, options.duration);
    rows.push({ measure: `createFromTemplate p99, ${options.clients} clients (p50)`, figure: `${ms(create.p99)} (p50 ${ms(create.p50)})`, goal: "< 150 ms", met: create.p99 < 150 });
    rows.push({
      measure: "accepted creates per second",
      figure: `${perS(create.rps)} (${create.ok} answered 200 within the ${options.duration} s, ${create.other} refused or failed)`,
      goal: "≥ 0.15 × pgbench",
      ratio: ratio(create.rps),
      met: create.rps / tps >= 0.15,
    });

    // GET /api/v1/me while the worker carries out what was just accepted.
    const meBusy = await load(base, { method: "GET", path: "/api/v1/me" }, seeded.tokens, options.clients, Math.min(options.duration, 10));
    rows.push({ measure: `GET /api/v1/me, ${options.clients} clients, worker busy`, figure: `${perS(meBusy.rps)}, p99 ${ms(meBusy.p99)}`, goal: "—", ratio: ratio(meBusy.rps) });

    say(`waiting up to ${options.drain} s for the accepted creates to finish`);
    const drainDeadline = Date.now() + options.drain * 1000;
    for (;;) {
      const { rows: left } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Task" WHERE kind = 'vm.create' AND status IN ('pending', 'in_progress')`);
      if (Number(left[0]!.n) === 0 || Date.now() > drainDeadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const { rows: carried } = await client.query<{ done: string; failed: string; open: string; first: Date | null; last: Date | null }>(
      `SELECT count(*) FILTER (WHERE status = 'completed') AS done, count(*) FILTER (WHERE status = 'failed') AS failed,
              count(*) FILTER (WHERE status IN ('pending', 'in_progress')) AS open, min("createdAt") AS first, max("finishedAt") AS last
       FROM "Task" WHERE kind = 'vm.create' AND "createdAt" >= $1`,
      [loadStart],
    );
    const c = carried[0]!;
    const windowEnd = Number(c.open) > 0 ? Date.now() : (c.last?.getTime() ?? Date.now());
    const minutes = (windowEnd - (c.first?.getTime() ?? loadStart.getTime())) / 60_000;
    const perMinute = minutes > 0 ? Number(c.done) / minutes : 0;
    rows.push({
      measure: `VMs carried from accepted to running per minute (${workers} worker(s))`,
      figure: `${Math.round(perMinute)}/min (${c.done} done, ${c.failed} failed, ${c.open} still open)`,
      goal: "≥ 600/min",
      met: perMinute >= 600 && Number(c.failed) === 0,
    });

    await client.end();

    // The support monitor at scale, last: seeding a million tasks keeps PostgreSQL busy for minutes.
    if (options.tasks > 0) {
      taskDb = `bench_tasks_${Date.now()}`;
      rows.push(...(await monitorAtScale(adminUrl, taskDb, options, say)));
    } else {
      rows.push({ measure: "support monitor and search, 1,000,000 tasks / 20,000,000 log lines", figure: "not measured (--no-task-volume)", goal: "< 200 ms", met: null });
    }
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    for (const name of [dbName, ...(taskDb ? [taskDb] : [])]) {
      if (!options.keep) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((e: unknown) => say(`could not drop ${name}: ${String(e)}`));
      else say(`kept database ${name}`);
    }
    await admin.end();
    printTable(rows, options);
  }
}

/**
 * Seeds `options.tasks` tasks and `options.taskLogs` log lines into database `name` on the server
 * of `serverUrl` (scripts/seed-tasks.ts) and times every support monitor view and search there with
 * the portal's own code (the server time of their queries, median of 5 runs after a warm-up).
 * Returns one row for the slowest view (the goal: every view under 200 ms) and one per view.
 */
async function monitorAtScale(serverUrl: string, name: string, options: Options, say: (line: string) => void): Promise<Row[]> {
  const { benchTaskQueries, databaseUrl, seedTaskVolume } = await import("../seed-tasks");
  const volume = `${options.tasks.toLocaleString("en")} tasks / ${options.taskLogs.toLocaleString("en")} log lines`;
  say(`support monitor: seeding ${volume} into ${name} (minutes for a million; --no-task-volume skips this)`);
  const started = performance.now();
  await seedTaskVolume({ serverUrl, database: name, tasks: options.tasks, logs: options.taskLogs, log: (line) => say(`  ${line.trim()}`) });
  say(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s; timing every monitor view and search`);
  const timings = await benchTaskQueries(databaseUrl(serverUrl, name), 5);
  const { disconnectDb } = await import("../../lib/db/client");
  await disconnectDb();
  const { closePool } = await import("../../lib/db/pool");
  await closePool();
  const slowest = timings.reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
  const worstMax = Math.max(...timings.map((t) => t.maxMs));
  return [
    {
      measure: `support monitor and search (${timings.length} views), ${volume}`,
      figure: `slowest median ${ms(slowest.medianMs)} (${slowest.name}), worst single run ${ms(worstMax)}`,
      goal: "< 200 ms",
      met: timings.every((t) => t.medianMs < 200),
    },
    ...timings.map((t) => ({ measure: `  · ${t.name}`, figure: `median ${t.medianMs} ms, max ${t.maxMs} ms (${t.rows} rows)`, goal: "< 200 ms", met: t.medianMs < 200 })),
  ];
}

function printTable(rows: Row[], options: Options): void {
  if (!rows.length) return;
  const header: Row = { measure: "measure", figure: "figure", goal: "goal", ratio: "÷ pgbench" };
  const all = [header, ...rows];
  const mark = (r: Row) => (r === header ? "" : r.met === true ? " ok" : r.met === false ? " MISSED" : "");
  const width = (k: "measure" | "figure" | "goal" | "ratio") => Math.max(...all.map((r) => (r[k] ?? "").length));
  const [a, b, c, d] = [width("measure"), width("figure"), width("goal"), width("ratio")];
  const line = (r: Row) => `| ${r.measure.padEnd(a)} | ${r.figure.padEnd(b)} | ${r.goal.padEnd(c)} | ${(r.ratio ?? "").padEnd(d)} |${mark(r)}`;
  console.log(`\nHangar benchmark — ${os.cpus().length} cores, ${options.clients} clients, ${options.duration} s per load, provider tasks ${options.taskMs} ms, ${options.workers + (options.webWorker ? 1 : 0)} worker(s)${options.webWorker ? "" : ", none in the portal's process"}`);
  console.log(line(header));
  console.log(`| ${"-".repeat(a)} | ${"-".repeat(b)} | ${"-".repeat(c)} | ${"-".repeat(d)} |`);
  for (const r of rows) console.log(line(r));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
