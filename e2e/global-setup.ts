import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDatabase, DEFAULT_ADMIN_URL, freePort, handles, stopAll } from "./lifecycle";
import { startOidcServer } from "./oidc-server";
import { OIDC_LOG, RESULTS_DIR, ROOT, SERVER_LOG, STATE_FILE, type DemoCredential, type DemoRole, type E2EState } from "./state";

const READY_TIMEOUT_MS = 120_000;
const OIDC_CLIENT_ID = "hangar-e2e";
const OIDC_NAME = "Test SSO";

/** `  admin    admin@hangar.local    <password>` from the demo banner (lib/demo/seed.ts). */
const CREDENTIAL_LINE = /^\s+(admin|support|user|gpu-user)\s+(\S+@\S+)\s+(\S+)\s*$/;

/** The app must not inherit anything that changes how it starts (config file, keys, loaders). */
function appEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("HANGAR_") || key.startsWith("PW_") || key.startsWith("NEXTAUTH_") || key === "AUTH_TRUST_HOST") delete env[key];
  }
  if (env.NODE_OPTIONS?.includes("playwright")) delete env.NODE_OPTIONS;
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

async function healthy(baseURL: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(5_000) });
    return res.ok && ((await res.json()) as { status?: string }).status === "ok";
  } catch {
    return false;
  }
}

export default async function globalSetup(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  rmSync(STATE_FILE, { force: true });
  writeFileSync(OIDC_LOG, "");
  const h = handles();
  const runId = `${Date.now()}-${process.pid}`;

  try {
    if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
      console.log("[e2e] no production build: running `next build`");
      const build = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: ROOT, stdio: "inherit" });
      if (build.status !== 0) throw new Error("next build failed");
    }

    const adminUrl = process.env.E2E_DATABASE_URL || DEFAULT_ADMIN_URL;
    const databaseName = `hangar_e2e_${Date.now()}`;
    const databaseUrl = await createDatabase(adminUrl, databaseName);
    h.database = { name: databaseName, adminUrl };

    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    const clientSecret = randomBytes(24).toString("base64url");
    h.oidc = await startOidcServer({
      clientId: OIDC_CLIENT_ID,
      clientSecret,
      redirectUri: `${baseURL}/api/auth/callback/oidc`,
      logFile: OIDC_LOG,
      // A stranger whose IdP signs the demo admin's address without having verified it (e2e/oidc.spec.ts).
      accounts: { mallory: { email: "admin@hangar.local", email_verified: false } },
    });

    h.dataDir = mkdtempSync(path.join(os.tmpdir(), "hangar-e2e-"));
    const log = createWriteStream(SERVER_LOG);
    h.serverLog = log;
    const server = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), ["lib/server/start.ts"], {
      cwd: ROOT,
      // Its own process group, so that teardown can stop tsx and the node process it starts.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: appEnvironment({
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HANGAR_HOST: "127.0.0.1",
        HANGAR_DATA_DIR: h.dataDir,
        NEXTAUTH_URL: baseURL,
        HANGAR_OIDC_ISSUER: h.oidc.issuer,
        HANGAR_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
        HANGAR_OIDC_CLIENT_SECRET: clientSecret,
        HANGAR_OIDC_NAME: OIDC_NAME,
        LOG_LEVEL: process.env.E2E_LOG_LEVEL || "info",
      }),
    });
    h.server = server;
    const serverPid = server.pid;
    if (!serverPid) throw new Error("could not start the app");
    // If the runner dies without teardown, do not leave the app running.
    h.exitGuard = () => {
      try {
        process.kill(-serverPid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    process.on("exit", h.exitGuard);

    const credentials: DemoCredential[] = [];
    let exit: string | undefined;
    let pending = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      log.write(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const match = CREDENTIAL_LINE.exec(line);
        if (match) credentials.push({ role: match[1] as DemoRole, email: match[2]!, password: match[3]! });
      }
    });
    server.stderr!.on("data", (chunk: Buffer) => log.write(chunk));
    server.once("exit", (code, signal) => {
      exit = `code ${code ?? "-"}, signal ${signal ?? "-"}`;
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exit) throw new Error(`the app exited during start-up (${exit}); see ${SERVER_LOG}`);
      if (credentials.length >= 4 && (await healthy(baseURL))) break;
      if (Date.now() > deadline) {
        throw new Error(`the app was not ready within ${READY_TIMEOUT_MS / 1000}s (demo credentials parsed: ${credentials.length}); see ${SERVER_LOG}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    const state: E2EState = {
      runId,
      baseURL,
      credentials,
      database: { name: databaseName, adminUrl },
      oidc: { issuer: h.oidc.issuer, clientId: OIDC_CLIENT_ID, name: OIDC_NAME },
      pids: { server: serverPid, runner: process.pid },
      dataDir: h.dataDir,
      serverLog: SERVER_LOG,
    };
    writeFileSync(STATE_FILE, JSON.stringify(state, null, 2) + "\n");
    // Test workers are forked after global setup and inherit this: it selects the state file.
    process.env.E2E_RUN_ID = runId;
    console.log(`[e2e] Hangar at ${baseURL} (database ${databaseName}), OIDC provider at ${h.oidc.issuer}`);
  } catch (error) {
    const problems = await stopAll(h);
    for (const p of problems) console.error(`[e2e] cleanup after failed setup: ${p}`);
    throw error;
  }
}
