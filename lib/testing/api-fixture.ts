import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { issueSessionToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { getPool } from "../db/pool";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase as migratedDatabase } from "./test-db";

/**
 * Test helper (integration tests of input handling): a migrated database, the PVE simulator as
 * provider "lab" with template "ubuntu-24.04", users ada (user) and root (admin) with API tokens,
 * one running VM of ada's, the row counts of every table, and the list of API route files.
 */
export type ApiFixture = {
  sim: PveSimulator;
  tokens: { ada: string; root: string };
  users: { ada: string; root: string };
  vmId: string;
  /** A task of ada's on that VM, with a log line. */
  taskId: string;
  /** Row count of every table in the public schema (pg-boss's jobs live elsewhere). */
  rowCounts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
};

export async function startApiFixture(): Promise<ApiFixture> {
  const database = await migratedDatabase();
  const sim = await startPveSimulator(demoClusterOptions({ authFailureDelayMs: 0, agentDelayMs: 50 }));
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true } }],
    templates: [{ name: "ubuntu-24.04", provider: "lab", node: "pve1", vmid: 9000, public: true, ciuser: "ubuntu", minDiskGb: 32 }],
    plans: [{ name: "small", default: true, perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 8, memoryMb: 16384, diskGb: 300, vms: 3 } }],
    users: [
      { email: "ada@example.com", password: "long-enough-pw", role: "user", plan: "small" },
      { email: "root@example.com", password: "long-enough-pw", role: "admin", plan: "small" },
    ],
  });
  const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  const root = await db().user.findUniqueOrThrow({ where: { email: "root@example.com" } });
  const provider = await db().providerConnection.findFirstOrThrow({ where: { name: "lab" } });
  const vm = await db().vm.create({
    data: { name: "fixture-vm", ownerId: ada.id, providerId: provider.id, providerRef: { node: "pve1", vmid: 4242 }, providerRefId: String(4242), cpuCores: 1, memoryMb: 1024, diskGb: 32, status: "running" },
  });
  const task = { id: "clone-fixture-1" };
  await getPool().query(
    `INSERT INTO "Task" (id, kind, status, progress, "userId", "vmId", "updatedAt") VALUES ($1, 'vm.create', 'completed', 100, $2, $3, now())`,
    [task.id, ada.id, vm.id],
  );
  await getPool().query(`INSERT INTO "TaskLog" ("taskId", line) VALUES ($1, 'TASK OK')`, [task.id]);
  const tokens = { ada: (await issueSessionToken(ada.id)).token, root: (await issueSessionToken(root.id)).token };

  const tables = (
    await getPool().query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
  ).rows.map((r) => r.name);
  const countSql = `SELECT ${tables.map((t, i) => `(SELECT count(*) FROM "${t}")::int AS c${i}`).join(", ")}`;
  return {
    sim,
    tokens,
    users: { ada: ada.id, root: root.id },
    vmId: vm.id,
    taskId: task.id,
    async rowCounts() {
      const row = (await getPool().query<Record<string, number>>(countSql)).rows[0] ?? {};
      return Object.fromEntries(tables.map((t, i) => [t, row[`c${i}`] ?? 0]));
    },
    async stop() {
      await sim.stop();
      await database.drop();
    },
  };
}

/** Every API route file under app/api (route.ts), as [url pattern, file], found on disk: a new route is included by itself. */
export function apiRouteFiles(root = path.join(process.cwd(), "app", "api")): { pattern: string; file: string; params: string[] }[] {
  const found: { pattern: string; file: string; params: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry === "route.ts") {
        const rel = path.relative(path.join(process.cwd(), "app"), dir).split(path.sep);
        const params = rel.filter((s) => s.startsWith("[")).map((s) => s.replace(/^\[+\.{0,3}|\]+$/g, ""));
        found.push({ pattern: "/" + rel.join("/"), file: full, params });
      }
    }
  };
  walk(root);
  return found.sort((a, b) => a.pattern.localeCompare(b.pattern));
}
