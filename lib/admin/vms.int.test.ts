import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../db/client";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { listAllVms } from "./vms";

let database: { drop: () => Promise<void> };
beforeAll(async () => {
  database = await useMigratedDatabase();
});
afterAll(async () => database.drop());

it("lists every VM with owner, team, provider, size, GPU and cost this month; filters, searches and pages", async () => {
  const team = await db().team.create({ data: { name: "ml" } });
  const ada = await createUser({ email: "ada@example.com", password: "long-enough" });
  await db().user.update({ where: { id: ada.id }, data: { teamId: team.id } });
  const bob = await createUser({ email: "bob@example.com", password: "long-enough" });
  const provider = await db().providerConnection.create({ data: { name: "lab", kind: "pve", baseUrl: "https://pve.example:8006", credentials: "not-a-secret" } });
  await db().price.create({ data: { resource: "vcpu_hour", amount: "0.01" } });
  const now = new Date(Date.UTC(2026, 10, 16)); // half of November gone
  const base = { providerId: provider.id, memoryMb: 1024, diskGb: 10, status: "running" };
  await db().vm.create({ data: { ...base, name: "train-1", ownerId: ada.id, cpuCores: 2, gpuCount: 1, gpuType: "a100", providerRefId: "101", createdAt: new Date(Date.UTC(2026, 9, 1)) } });
  await db().vm.create({ data: { ...base, name: "web-1", ownerId: bob.id, cpuCores: 1, providerRefId: "102", createdAt: new Date(Date.UTC(2026, 10, 2)) } });
  await db().vm.create({ data: { ...base, name: "gone-1", ownerId: bob.id, cpuCores: 1, status: "deleted", deletedAt: new Date(), createdAt: new Date(Date.UTC(2026, 10, 3)) } });

  const all = await listAllVms({}, now);
  expect(all.vms.map((v) => v.name)).toEqual(["web-1", "train-1"]);
  const train = all.vms[1]!;
  expect(train).toMatchObject({ owner: { email: "ada@example.com" }, team: { name: "ml" }, provider: { name: "lab", kind: "pve" }, gpu: { count: 1, type: "a100" }, size: { cpuCores: 2 } });
  // 2 vCPU × 0.01 × 730 h = 14.60 a month; half of it this month.
  expect(train.costThisMonth).toBe("7.30");
  expect(train.costBasis).toBe("estimate");
  // A running PVE VM offers every power action.
  expect(train.actions).toEqual(expect.arrayContaining(["shutdown", "reboot", "stop", "delete"]));
  expect((await listAllVms({ gpu: "yes" }, now)).vms.map((v) => v.name)).toEqual(["train-1"]);
  expect((await listAllVms({ team: "ml" }, now)).vms.map((v) => v.name)).toEqual(["train-1"]);
  expect((await listAllVms({ q: "BOB@" }, now)).vms.map((v) => v.name)).toEqual(["web-1"]);
  expect((await listAllVms({ q: "101" }, now)).vms.map((v) => v.name)).toEqual(["train-1"]);
  expect((await listAllVms({ status: "deleted" }, now)).vms.map((v) => v.name)).toEqual(["gone-1"]);
  const first = await listAllVms({ limit: 1 }, now);
  expect(first.vms.map((v) => v.name)).toEqual(["web-1"]);
  expect((await listAllVms({ limit: 1, cursor: first.nextCursor }, now)).vms.map((v) => v.name)).toEqual(["train-1"]);
  await expect(listAllVms({ gpu: "maybe" })).rejects.toThrow("gpu must be yes or no");
});

it("a GPU rental's cost this month is what it accrued (GPU while running, storage always), as on its page", async () => {
  const cy = await createUser({ email: "cy@example.com", password: "long-enough" });
  const provider = await db().providerConnection.create({ data: { name: "rent", kind: "nova", baseUrl: "https://nova.example", credentials: "not-a-secret" } });
  const h = (n: number) => new Date(Date.UTC(2026, 10, 1) + n * 3_600_000);
  const vm = await db().vm.create({
    data: { providerId: provider.id, name: "spot-9", ownerId: cy.id, cpuCores: 6, memoryMb: 32768, diskGb: 50, status: "stopped", gpuCount: 1, gpuType: "4090", gpuHourly: "0.50", storageHourly: "0.01", createdAt: h(0) },
  });
  // 10 h running, then stopped until now (h 20): 10 × 0.50 GPU + 20 × 0.01 storage; a span from October does not count.
  await db().vmStateSpan.createMany({
    data: [
      { vmId: vm.id, state: "running", startedAt: new Date(Date.UTC(2026, 9, 30)), endedAt: h(0) },
      { vmId: vm.id, state: "running", startedAt: h(0), endedAt: h(10) },
      { vmId: vm.id, state: "stopped", startedAt: h(10), endedAt: null },
    ],
  });
  const row = (await listAllVms({ owner: "cy@example.com" }, h(20))).vms[0]!;
  expect(row).toMatchObject({ name: "spot-9", costThisMonth: "5.20", costBasis: "accrued" });
  // Row actions follow the provider kind: Nova Cloud has no graceful shut down, even when running.
  await db().vm.update({ where: { id: vm.id }, data: { status: "running" } });
  const running = (await listAllVms({ owner: "cy@example.com" }, h(20))).vms[0]!;
  expect(running.actions).toContain("stop");
  expect(running.actions).not.toContain("shutdown");
});
