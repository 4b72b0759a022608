import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase } from "../testing/test-db";
import { loadPrices, usageWhere } from "./context";
import { reconcileQuota } from "./reconcile";

let database: { url: string; drop: () => Promise<void> };
let sim: PveSimulator;

beforeAll(async () => {
  database = await useMigratedDatabase();
  // vm 200 exists on the cluster with 2 cores / 2048 MB / 32 GB; vm 201 is someone else's.
  sim = await startPveSimulator(
    demoClusterOptions({
      authFailureDelayMs: 0,
      vms: [
        { node: "pve1", vmid: 200, name: "kept", cores: 2, memory: 2048, diskGb: 32, ostype: "l26", running: true },
        { node: "pve1", vmid: 201, name: "handmade", cores: 1, memory: 1024, diskGb: 10, ostype: "l26" },
      ],
    }),
  );
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }],
    plans: [{ name: "p", default: true, perVm: { cpuCores: 8, memoryMb: 16384, diskGb: 200 }, total: { cpuCores: 64, memoryMb: 65536, diskGb: 1000, vms: 10 } }],
    users: [{ email: "ada@example.com", password: "long-enough-pw", plan: "p" }],
  });
  const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  const lab = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } });
  const vm = (data: { name: string; vmid: number; cpuCores: number; status: string }) =>
    db().vm.create({
      data: { name: data.name, cpuCores: data.cpuCores, status: data.status, providerRef: { node: "pve1", vmid: data.vmid }, providerRefId: String(data.vmid), ownerId: ada.id, providerId: lab.id, memoryMb: 2048, diskGb: 32 },
    });
  await vm({ name: "kept", vmid: 200, cpuCores: 4, status: "running" }); // the portal counts 4 cores, PVE says 2
  await vm({ name: "vanished", vmid: 300, cpuCores: 2, status: "running" }); // deleted outside the portal
  const stuck = await vm({ name: "stuck", vmid: 301, cpuCores: 1, status: "creating" }); // its task died
  await db().task.create({ data: { id: "clone-dead-1", kind: "vm.create", userId: ada.id, vmId: stuck.id, status: "failed", error: "worker lost" } });
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await database?.drop();
});

it("reports every difference between the records and the provider, then --fix corrects the records", async () => {
  const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  const usage = async () => (await usageWhere(db(), { ownerId: ada.id }, await loadPrices(db()))).total;
  expect(await usage()).toMatchObject({ vms: 3, cpuCores: 7 });

  const report = await reconcileQuota();
  const kinds = Object.fromEntries(report.differences.map((d) => [d.name, d.kind]));
  expect(kinds).toEqual({ kept: "size_mismatch", vanished: "missing_on_provider", stuck: "stuck_request", handmade: "unmanaged" });
  expect(report.differences.find((d) => d.name === "kept")?.detail).toBe("cores: portal 4, provider 2");
  expect(report.differences.every((d) => !d.fixed)).toBe(true);
  expect(await usage()).toMatchObject({ vms: 3, cpuCores: 7 }); // a report changes nothing

  // Asynchronously: this process serves the simulator the CLI talks to.
  const cli = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(path.resolve("node_modules/.bin/tsx"), ["lib/cli/main.ts", "quota", "reconcile", "--fix"], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "silent" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
  expect(cli.stderr).toBe("");
  expect(cli.status).toBe(0);
  expect(cli.stdout).toMatch(/fixed size_mismatch/);
  expect(cli.stdout).toMatch(/fixed missing_on_provider/);
  expect(cli.stdout).toMatch(/fixed stuck_request/);
  expect(await usage()).toMatchObject({ vms: 1, cpuCores: 2 });

  const again = await reconcileQuota();
  expect(again.differences.map((d) => d.kind)).toEqual(["unmanaged"]);
});
