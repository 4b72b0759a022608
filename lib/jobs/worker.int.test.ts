import { afterAll, beforeAll, expect, it } from "vitest";
import { createSession, validateSession } from "../auth/sessions";
import { hashToken } from "../auth/tokens";
import { db } from "../db/client";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { applyConfig } from "../config/apply";
import { queueQuotaCheck } from "../notifications";
import { getBoss, stopBoss } from "./boss";
import { queues } from "./queues";
import { startWorker } from "./worker";

let database: { drop: () => Promise<void> };
beforeAll(async () => {
  database = await useMigratedDatabase();
});
afterAll(async () => {
  await stopBoss();
  await database.drop();
});

it("a worker on the shared database runs the credential purge job it is sent", async () => {
  const user = await createUser({ email: "jobs@example.com", password: "long-enough" });
  const expired = await createSession(user.id);
  await db().session.updateMany({ where: { tokenHash: hashToken(expired.sid) }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const live = await createSession(user.id);

  await startWorker();
  const boss = await getBoss();
  const jobId = await boss.send(queues.purgeCredentials.name, {});
  expect(jobId).toBeTruthy();

  const deadline = Date.now() + 30_000;
  let state: string | undefined;
  while (Date.now() < deadline) {
    state = (await boss.getJobById(queues.purgeCredentials.name, jobId!))?.state;
    if (state === "completed" || state === "failed") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(state).toBe("completed");
  expect(await db().session.count({ where: { tokenHash: hashToken(expired.sid) } })).toBe(0);
  expect(await validateSession(live.sid)).not.toBeNull();
});

it("a quota check queued for a user runs on the worker, and a burst of them tells the crossing once", async () => {
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: "http://127.0.0.1:9", tokenId: "root@pam!x", secret: "s" }],
    plans: [{ name: "p", default: true, perVm: { cpuCores: 8, memoryMb: 16384, diskGb: 200 }, total: { cpuCores: 10, memoryMb: 65536, diskGb: 1000, vms: 10 } }],
    users: [{ email: "quota-burst@example.com", password: "long-enough-pw", plan: "p" }],
  });
  const user = await db().user.findUniqueOrThrow({ where: { email: "quota-burst@example.com" } });
  const lab = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } });
  await db().vm.create({ data: { name: "q", ownerId: user.id, providerId: lab.id, cpuCores: 8, memoryMb: 1024, diskGb: 10, status: "running" } });

  // The worker started by the test above runs it; a burst of checks tells the crossing once.
  await Promise.all(Array.from({ length: 5 }, () => queueQuotaCheck(user.id)));

  const deadline = Date.now() + 30_000;
  let told = 0;
  while (Date.now() < deadline && told === 0) {
    told = await db().notification.count({ where: { userId: user.id, kind: "quota_near" } });
    if (!told) await new Promise((r) => setTimeout(r, 100));
  }
  expect(told).toBe(1);
});
