import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { createEmptyDatabase } from "../testing/test-db";
import { migrate } from "./migrate";

/**
 * The provider-neutral migration carries existing rows over: each template's and VM's place on
 * its Proxmox VE cluster becomes an opaque reference with the VMID as its short id, a
 * template's storage becomes its settings, and each task step gets its stable key from its
 * label, its UPID becoming a provider task id.
 */
const MIGRATION = "20261130130000_provider_neutral_refs";
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.shift()!();
});

it("carries templates, VMs and task steps over to references, settings and step keys", async () => {
  const database = await createEmptyDatabase("hangar_refs");
  cleanups.push(database.drop);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  cleanups.unshift(() => client.end());

  // The migrations before this one, then rows as the old schema held them.
  const before = mkdtempSync(path.join(tmpdir(), "hangar-before-"));
  cpSync("prisma/migrations", before, { recursive: true });
  for (const name of readdirSync(before)) if (name >= MIGRATION && !name.endsWith(".toml")) rmSync(path.join(before, name), { recursive: true });
  await migrate(client, before);
  await client.query(`
    INSERT INTO "User" (id, email, "updatedAt") VALUES ('u1', 'ada@example.com', now());
    INSERT INTO "ProviderConnection" (id, name, kind, "baseUrl", credentials, "updatedAt") VALUES ('p1', 'lab', 'pve', 'https://pve:8006', 'x', now());
    INSERT INTO "Template" (id, name, "providerId", node, vmid, storage, "updatedAt") VALUES ('t1', 'ubuntu', 'p1', 'pve2', 9000, 'local-lvm', now()), ('t2', 'debian', 'p1', 'pve1', 9001, NULL, now());
    INSERT INTO "Vm" (id, name, "ownerId", "providerId", "templateId", node, vmid, "cpuCores", "memoryMb", "diskGb", "updatedAt")
      VALUES ('v1', 'web-1', 'u1', 'p1', 't1', 'pve3', 105, 2, 2048, 40, now());
    INSERT INTO "Task" (id, kind, "userId", "vmId", "updatedAt") VALUES ('clone-1', 'vm.create', 'u1', 'v1', now());
    -- Tasks still to run when the portal is upgraded: their input takes the new shape.
    INSERT INTO "Task" (id, kind, status, "userId", "vmId", input, "updatedAt") VALUES
      ('clone-2', 'vm.create', 'in_progress', 'u1', 'v1', '{"spec": {"template": {"node": "pve2", "vmid": 9000}, "targetNode": "pve3", "vmid": 105, "name": "web-1", "cpuCores": 2, "memoryMb": 2048, "diskGb": 40, "storage": "NFS", "ciuser": "ubuntu", "description": "Created by Hangar"}, "sealed": "v1.x", "providerId": "p1", "templateId": "t1"}', now()),
      ('resize-1', 'vm.resize', 'pending', 'u1', 'v1', '{"action": "resize", "ref": {"node": "pve3", "vmid": 105}, "params": {"resize": {"cpuCores": 4}}, "previous": {"cpuCores": 2, "memoryMb": 2048, "diskGb": 40}, "wanted": {"cpuCores": 4, "memoryMb": 2048, "diskGb": 40}}', now());
    INSERT INTO "TaskStep" (id, "taskId", position, name, upid) VALUES
      ('s0', 'clone-1', 0, 'Reserve quota', NULL), ('s1', 'clone-1', 1, 'Allocate VMID', NULL),
      ('s2', 'clone-1', 2, 'Clone template', 'UPID:pve3:00001:00002:00003:qmclone:9000:root@pam:'), ('s3', 'clone-1', 3, 'Something else', NULL);
  `);

  const result = await migrate(client);
  expect(result.applied).toContain(MIGRATION);
  const templates = await client.query(`SELECT id, "providerRef", "providerRefId", settings FROM "Template" ORDER BY id`);
  expect(templates.rows).toEqual([
    { id: "t1", providerRef: { node: "pve2", vmid: 9000 }, providerRefId: "9000", settings: { storage: "local-lvm" } },
    { id: "t2", providerRef: { node: "pve1", vmid: 9001 }, providerRefId: "9001", settings: {} },
  ]);
  const vms = await client.query(`SELECT "providerRef", "providerRefId" FROM "Vm"`);
  expect(vms.rows).toEqual([{ providerRef: { node: "pve3", vmid: 105 }, providerRefId: "105" }]);
  const steps = await client.query(`SELECT key, name, "providerTaskId" FROM "TaskStep" ORDER BY position`);
  expect(steps.rows).toEqual([
    { key: "reserve_quota", name: "Reserve quota", providerTaskId: null },
    { key: "allocate_vmid", name: "Allocate VMID", providerTaskId: null },
    { key: "clone", name: "Clone template", providerTaskId: "UPID:pve3:00001:00002:00003:qmclone:9000:root@pam:" },
    { key: "step_3", name: "Something else", providerTaskId: null },
  ]);
  const inputs = Object.fromEntries((await client.query(`SELECT id, input FROM "Task" WHERE id IN ('clone-2', 'resize-1')`)).rows.map((r) => [r.id, r.input]));
  expect(inputs["clone-2"]).toEqual({
    request: {
      name: "web-1",
      template: { ref: { id: "9000", data: { node: "pve2", vmid: 9000 } }, settings: {}, ciuser: "ubuntu" },
      size: { cpuCores: 2, memoryMb: 2048, diskGb: 40, gpus: {} },
      options: { target: "pve3", storage: "NFS" },
      cloudInit: { user: "ubuntu" },
      description: "Created by Hangar",
    },
    sealed: "v1.x",
    accepted: { id: "105", data: { node: "pve3", vmid: 105 } },
  });
  expect(inputs["resize-1"]).toMatchObject({
    ref: { id: "105", data: { node: "pve3", vmid: 105 } },
    previous: { cpuCores: 2, gpus: {} },
    wanted: { cpuCores: 4, gpus: {} },
  });
  const columns = await client.query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_name IN ('Template', 'Vm', 'TaskStep') AND column_name IN ('node', 'vmid', 'storage', 'upid')`);
  expect(columns.rows).toEqual([]);
});
