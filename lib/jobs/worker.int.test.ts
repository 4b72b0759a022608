import { afterAll, beforeAll, expect, it } from "vitest";
import { createSession, validateSession } from "../auth/sessions";
import { hashToken } from "../auth/tokens";
import { db } from "../db/client";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
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
