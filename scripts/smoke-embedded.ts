/**
 * Smoke test of the zero-setup default: `npm start` with no DATABASE_URL and an empty data
 * directory. Checks that the demo credentials are printed and work, that `npm run hangar`
 * can add a user to the running portal, that a restart keeps the data (and prints no
 * passwords again), and that the portal stops cleanly. Prints "N passed, N failed".
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const results: { name: string; ok: boolean; detail?: string }[] = [];
function check(name: string, ok: boolean, detail?: string) {
  results.push({ name, ok, detail });
  console.log(`${ok ? "  ✓" : "  ✗"} ${name}${ok || !detail ? "" : ` — ${detail}`}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const dataDir = mkdtempSync(path.join(tmpdir(), "hangar-smoke-"));
const env = { ...process.env, HANGAR_DATA_DIR: dataDir, LOG_LEVEL: "info" } as NodeJS.ProcessEnv;
delete env.DATABASE_URL;
delete env.HANGAR_SECRET_KEY;
delete env.NEXTAUTH_SECRET;
delete env.HANGAR_CONFIG;

/**
 * Runs a command without blocking this process: the portal's output pipes must keep draining
 * (a pipe write blocks a Linux process whose reader has stopped reading).
 */
function run(command: string, args: string[], options: { env: NodeJS.ProcessEnv; timeout: number }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeout);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

type Running = { child: ChildProcess; output: () => string; base: string };

async function start(): Promise<Running> {
  const port = await freePort();
  let out = "";
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["lib/server/start.ts"], { env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && !out.includes("Hangar is ready")) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!out.includes("Hangar is ready")) throw new Error(`portal did not start:\n${out}`);
  return { child, output: () => out, base: `http://127.0.0.1:${port}` };
}

async function stop(r: Running): Promise<number | null> {
  r.child.kill("SIGTERM");
  const deadline = Date.now() + 30_000;
  while (r.child.exitCode === null && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  if (r.child.exitCode === null) r.child.kill("SIGKILL");
  return r.child.exitCode;
}

async function login(base: string, email: string, password: string): Promise<{ status: number; body: { data?: { token?: string } } }> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  return { status: res.status, body: (await res.json()) as { data?: { token?: string } } };
}

async function main() {
  console.log(`embedded smoke test (data in ${dataDir})`);
  const first = await start();
  try {
    const creds = [...first.output().matchAll(/^\s+(admin|support|user|gpu-user)\s+(\S+@\S+)\s+(\S+)$/gm)].map((m) => ({ role: m[1]!, email: m[2]!, password: m[3]! }));
    check("first start prints four demo accounts", creds.length === 4, first.output().slice(0, 2000));
    const health = await fetch(`${first.base}/api/health`);
    check("health endpoint answers ok over the embedded database", health.status === 200);
    const signin = await fetch(`${first.base}/signin`);
    check("sign-in page is served", signin.status === 200 && (await signin.text()).includes("Sign in"));
    for (const c of creds) {
      const res = await login(first.base, c.email, c.password);
      check(`demo ${c.role} can log in through the API`, res.status === 200 && Boolean(res.body.data?.token));
    }
    const user = creds.find((c) => c.role === "user");
    if (user) {
      const { body } = await login(first.base, user.email, user.password);
      const me = await fetch(`${first.base}/api/v1/me`, { headers: { authorization: `Bearer ${body.data?.token}` } });
      check("the token authenticates GET /api/v1/me", me.status === 200);
    }
    if (user) {
      const script = await run("bash", ["scripts/create-vm.sh", "ubuntu-24.04", "smoke-vm", "pve1"], {
        env: { ...env, HANGAR_URL: first.base, HANGAR_EMAIL: user.email, HANGAR_PASSWORD: user.password },
        timeout: 120_000,
      });
      check("scripts/create-vm.sh creates a VM on the simulated cluster with curl", script.status === 0 && /is running at \d+\.\d+\.\d+\.\d+/.test(script.stdout), script.stdout + script.stderr);
    }
    const cli = await run(path.resolve("node_modules/.bin/tsx"), ["lib/cli/main.ts", "user", "create", "--email", "smoke@example.com", "--password", "smoke-test-pw"], {
      env,
      timeout: 60_000,
    });
    check("npm run hangar -- user create works while the portal runs", cli.status === 0, cli.stderr);
    const created = await login(first.base, "smoke@example.com", "smoke-test-pw");
    check("the new user can log in to the running portal", created.status === 200);
  } finally {
    const code = await stop(first);
    check("portal stops cleanly on SIGTERM", code === 0, `exit code ${code}`);
  }

  const second = await start();
  try {
    check("restart prints no passwords again", !/shown only once/.test(second.output()));
    const again = await login(second.base, "smoke@example.com", "smoke-test-pw");
    check("data survives a restart", again.status === 200);
  } finally {
    await stop(second);
  }
}

main()
  .catch((error: unknown) => check("smoke test ran to the end", false, String(error)))
  .finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed;
    mkdirSync("test-results", { recursive: true });
    writeFileSync("test-results/smoke.json", JSON.stringify({ passed, failed, results }, null, 2));
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
