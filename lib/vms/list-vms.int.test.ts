import { afterAll, beforeAll, expect, it } from "vitest";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { AppError } from "../errors";
import { useMigratedDatabase } from "../testing/test-db";
import { listVms } from "./list-vms";
import { loadPrices, usageWhere } from "../quota/context";

let database: { drop: () => Promise<void> };
let owner: string;

beforeAll(async () => {
  database = await useMigratedDatabase();
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: "http://127.0.0.1:9", tokenId: "root@pam!x", secret: "s" }],
    plans: [{ name: "p", default: true, perVm: { cpuCores: 8, memoryMb: 16384, diskGb: 200 }, total: { cpuCores: 64, memoryMb: 65536, diskGb: 1000, vms: 10 } }],
    users: [{ email: "pages@example.com", password: "long-enough-pw", plan: "p" }],
  });
  owner = (await db().user.findUniqueOrThrow({ where: { email: "pages@example.com" } })).id;
  const lab = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } });
  // Five VMs, two of them created in the same millisecond (the cursor must tell them apart).
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const rows = [
    { name: "a", createdAt: at(1), cpuCores: 1, status: "running" },
    { name: "b", createdAt: at(2), cpuCores: 2, status: "running" },
    { name: "c", createdAt: at(2), cpuCores: 2, status: "creating" },
    { name: "d", createdAt: at(3), cpuCores: 1, status: "running" },
    { name: "e", createdAt: at(4), cpuCores: 4, status: "stopped" },
  ];
  for (const r of rows) await db().vm.create({ data: { ...r, ownerId: owner, providerId: lab.id, memoryMb: 1024, diskGb: 10 } });
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

it("pages through a user's VMs newest first, each VM once, and answers all without a limit", async () => {
  const all = await listVms(owner);
  expect(all.vms.map((v) => v.name)).toHaveLength(5);
  expect(all.nextCursor).toBeNull();

  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = await listVms(owner, { limit: 2, cursor });
    seen.push(...page.vms.map((v) => v.name));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  expect(seen).toEqual(all.vms.map((v) => v.name));
  expect(seen[0]).toBe("e");
  expect(seen.at(-1)).toBe("a");
});

it("gives each VM the actions its state allows now, as the VM's own endpoint does", async () => {
  const { vms } = await listVms(owner);
  const of = (name: string) => vms.find((v) => v.name === name)!.actions;
  expect(of("a")).toEqual(["stop", "shutdown", "reboot", "resize", "delete"]);
  expect(of("e")).toEqual(["start", "resize", "delete"]);
  expect(of("c")).toEqual([]);
});

it("refuses a cursor it did not make", async () => {
  await expect(listVms(owner, { limit: 2, cursor: "bm90LWEtY3Vyc29y" })).rejects.toBeInstanceOf(AppError);
});

it("counts usage per size in one query, the same as VM by VM", async () => {
  const usage = await usageWhere(db(), { ownerId: owner }, await loadPrices(db()));
  expect(usage.used).toMatchObject({ vms: 4, cpuCores: 8, memoryMb: 4096, diskGb: 40 });
  expect(usage.reserved).toMatchObject({ vms: 1, cpuCores: 2 });
  expect(usage.total).toMatchObject({ vms: 5, cpuCores: 10 });
});
