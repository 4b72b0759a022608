import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../db/client";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { taskMonitor } from "./monitor";

let database: { drop: () => Promise<void> };
beforeAll(async () => {
  database = await useMigratedDatabase();
});
afterAll(async () => database.drop());

it("support sees every user's tasks by state, with work untouched for 15 minutes flagged as stuck", async () => {
  const a = await createUser({ email: "a@example.com", password: "long-enough" });
  const b = await createUser({ email: "b@example.com", password: "long-enough" });
  const old = new Date(Date.now() - 60 * 60_000);
  await db().task.createMany({
    data: [
      { id: "t-running", kind: "vm.create", userId: a.id, status: "in_progress" },
      { id: "t-failed", kind: "vm.create", userId: b.id, status: "failed", error: "clone failed: storage 'NFS' is full" },
      { id: "t-done", kind: "vm.create", userId: b.id, status: "completed" },
    ],
  });
  // updatedAt is set by the client on write: age one running task by hand.
  await db().task.create({ data: { id: "t-stuck", kind: "vm.create", userId: a.id, status: "pending" } });
  await db().$executeRaw`UPDATE "Task" SET "updatedAt" = ${old} WHERE id = 't-stuck'`;

  const all = await taskMonitor("all");
  expect(all.tasks.map((t) => t.id).sort()).toEqual(["t-done", "t-failed", "t-running", "t-stuck"]);
  expect(Object.fromEntries(all.tiles.map((t) => [t.filter, t.value]))).toEqual({ active: 2, stuck: 1, failed: 1, completed: 1 });
  expect((await taskMonitor("stuck")).tasks.map((t) => t.id)).toEqual(["t-stuck"]);
  expect((await taskMonitor("failed")).tasks.map((t) => [t.id, t.user.email, t.error])).toEqual([["t-failed", "b@example.com", "clone failed: storage 'NFS' is full"]]);
});
