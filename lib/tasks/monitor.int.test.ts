import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../db/client";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { searchTasks, taskCounts } from "./search";

let database: { drop: () => Promise<void> };
beforeAll(async () => {
  database = await useMigratedDatabase();
});
afterAll(async () => database.drop());

it("support sees every user's tasks by state; stuck means no heartbeat for HANGAR_STUCK_MINUTES, not age", async () => {
  const a = await createUser({ email: "a@example.com", password: "long-enough" });
  const b = await createUser({ email: "b@example.com", password: "long-enough" });
  const support = await createUser({ email: "s@example.com", password: "long-enough", role: "support" });
  const hourAgo = new Date(Date.now() - 60 * 60_000);
  await db().task.createMany({
    data: [
      // Old, but its worker beats: not stuck.
      { id: "t-running", kind: "vm.create", userId: a.id, status: "in_progress", createdAt: hourAgo, startedAt: hourAgo, heartbeatAt: new Date() },
      { id: "t-failed", kind: "vm.create", userId: b.id, status: "failed", error: "clone failed: storage 'NFS' is full" },
      { id: "t-done", kind: "vm.create", userId: b.id, status: "completed" },
      // Its worker's last heartbeat was an hour ago.
      { id: "t-stuck", kind: "vm.start", userId: a.id, status: "in_progress", createdAt: hourAgo, startedAt: hourAgo, heartbeatAt: hourAgo },
    ],
  });
  const counts = await taskCounts();
  expect({ active: counts.active, stuck: counts.stuck, failed: counts.failed, completed: counts.completed }).toEqual({ active: 2, stuck: 1, failed: 1, completed: 1 });

  const ids = async (query: Record<string, string>) => (await searchTasks(support, query)).tasks.map((t) => t.task_id);
  expect((await ids({})).sort()).toEqual(["t-done", "t-failed", "t-running", "t-stuck"]);
  expect(await ids({ status: "stuck" })).toEqual(["t-stuck"]);
  expect((await ids({ status: "active" })).sort()).toEqual(["t-running", "t-stuck"]);
  expect(await ids({ status: "failed" })).toEqual(["t-failed"]);
  expect(await ids({ kind: "vm.start" })).toEqual(["t-stuck"]);
  expect((await ids({ user: "b@example.com" })).sort()).toEqual(["t-done", "t-failed"]);
  const failed = (await searchTasks(support, { status: "failed" })).tasks[0]!;
  expect(failed).toMatchObject({ error: "clone failed: storage 'NFS' is full", stuck: false, user: { email: "b@example.com" } });
  expect((await searchTasks(support, { status: "stuck" })).tasks[0]!.stuck).toBe(true);
  // A user sees their own tasks only.
  expect((await searchTasks(a, {})).tasks.map((t) => t.task_id).sort()).toEqual(["t-running", "t-stuck"]);
});

it("prunes the log lines of tasks finished longer ago than the retention, and only those", async () => {
  const a = await db().user.findUniqueOrThrow({ where: { email: "a@example.com" } });
  const old = new Date(Date.now() - 100 * 86_400_000);
  await db().task.create({ data: { id: "t-old", kind: "vm.start", userId: a.id, status: "completed", createdAt: old, finishedAt: old, logs: { create: [{ line: "one" }, { line: "two" }] } } });
  await db().task.create({ data: { id: "t-recent", kind: "vm.start", userId: a.id, status: "completed", finishedAt: new Date(), logs: { create: [{ line: "kept" }] } } });
  await db().task.create({ data: { id: "t-old-running", kind: "vm.start", userId: a.id, status: "in_progress", createdAt: old, logs: { create: [{ line: "kept too" }] } } });
  const { taskHousekeeping } = await import("../jobs/worker");
  expect((await taskHousekeeping()).logLines).toBe(2); // HANGAR_TASK_LOG_RETENTION_DAYS: 90 by default
  expect(await db().taskLog.count({ where: { taskId: "t-old" } })).toBe(0);
  expect(await db().taskLog.count({ where: { taskId: { in: ["t-recent", "t-old-running"] } } })).toBe(2);
});
