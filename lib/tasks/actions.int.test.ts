import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as cancelRoute from "@/app/api/v1/tasks/[taskId]/cancel/route";
import * as markFailedRoute from "@/app/api/v1/tasks/[taskId]/mark-failed/route";
import * as retryRoute from "@/app/api/v1/tasks/[taskId]/retry/route";
import * as listRoute from "@/app/api/v1/tasks/route";
import { db } from "../db/client";
import { taskHousekeeping } from "../jobs/worker";
import { startVmApi, type Handler, type TaskData, type VmApi, type Who } from "../testing/vm-api";
import { KEPT_FOR_RETRY } from "../vms/kept-vms";
import { markTaskFailed } from "./actions";
import type { TaskPage } from "./search";

/**
 * Issue 12: support acts on tasks (retry from the failed step, cancel a running one, mark failed
 * one whose worker is gone) and finds any task (search, filters, keyset pagination), through the
 * API against the PVE simulator with a real worker.
 */
process.env.HANGAR_STEP_HEARTBEAT_SECONDS = "0.2";

let api: VmApi;

beforeAll(async () => {
  // A clone long enough to cancel while it runs.
  api = await startVmApi({ simulator: { taskDurationMs: { qmclone: 1500, qmstart: 80, qmstop: 60, qmshutdown: 80, qmreboot: 100, qmdestroy: 60, resize: 60, qmconfig: 30 } } });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

beforeEach(() => api.sim.faults.reset());

const spec = (name: string) => ({ template_id: "ubuntu-24.04", name, target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 });
const post = (route: { POST: unknown }, action: string, taskId: string, as: Who) => api.call<TaskData | null>(route.POST as Handler, "POST", `/api/v1/tasks/${taskId}/${action}`, { taskId }, { as });
const search = (query: Record<string, string>, as: Who = "sue") =>
  api.call<TaskPage | null>(listRoute.GET as Handler, "GET", `/api/v1/tasks?${new URLSearchParams(query).toString()}`, {}, { as });
const clones = () => [...api.sim.tasks.values()].filter((t) => t.type === "qmclone").length;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function accepted(name: string): Promise<string> {
  const res = await api.create(spec(name));
  expect(res.status, res.body.message).toBe(200);
  return res.body.data!.task_id;
}

describe("task actions", () => {
  it("retries a failed create from its failed step: the clone is not made again, the task completes", async () => {
    api.sim.faults.failTask({ type: "qmstart", message: "start failed: QEMU exited with code 1" });
    const taskId = await accepted("retry-1");
    const failed = await api.settled(taskId);
    expect(failed.status).toBe("failed");
    const clonesBefore = clones();
    const vm = await db().vm.findFirstOrThrow({ where: { name: "retry-1" } });
    expect(vm).toMatchObject({ status: KEPT_FOR_RETRY }); // its quota is released meanwhile
    expect(vm.deletedAt).not.toBeNull();

    // Another user is told there is no such task; the owner and support may retry.
    expect((await post(retryRoute, "retry", taskId, "bob")).status).toBe(404);
    const retried = await post(retryRoute, "retry", taskId, "sue");
    expect(retried.status, retried.body.message).toBe(200);
    expect(retried.body.data!.status).toBe("pending");
    const done = await api.settled(taskId);
    expect(done.status, JSON.stringify(done.logs.map((l) => `${l.line} ${l.detail ?? ""}`))).toBe("completed");
    expect(clones()).toBe(clonesBefore); // the provider saw no second clone
    expect(done.steps.find((s) => s.name === "Clone template")?.status).toBe("completed");
    expect(done.logs.map((l) => l.line)).toContainEqual(expect.stringMatching(/^Retried by sue@example\.com from the step "Start VM"/));
    expect(await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ status: "running", deletedAt: null });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "task.retry", targetId: taskId } });
    expect(audit.actorEmail).toBe("sue@example.com");
    // A completed task is not retried again.
    expect((await post(retryRoute, "retry", taskId, "sue")).status).toBe(409);
  });

  it("cancels a create during its running clone: the provider's task is stopped, quota released, the VM removed", async () => {
    const taskId = await accepted("cancel-1");
    const upid = await until("the clone to run", async () => {
      const step = await db().taskStep.findFirst({ where: { taskId, key: "clone", status: "in_progress" } });
      return step?.providerTaskId;
    });
    const res = await post(cancelRoute, "cancel", taskId, "sue");
    expect(res.status, res.body.message).toBe(200);
    expect((await post(cancelRoute, "cancel", taskId, "sue")).status).toBe(409); // asked already
    const ended = await api.settled(taskId);
    expect(ended.status).toBe("cancelled");
    expect(ended.error).toBe("Cancelled by sue@example.com");
    expect(api.sim.tasks.get(upid)?.exitstatus).toContain("interrupted by signal");
    const vm = await db().vm.findFirstOrThrow({ where: { name: "cancel-1" } });
    expect(vm.deletedAt).not.toBeNull(); // no longer counts against the quota
    expect(vm.providerRefId).not.toBeNull();
    expect(api.sim.state.vms.has(Number(vm.providerRefId))).toBe(false);
    expect(await db().auditEvent.count({ where: { action: "task.cancel", targetId: taskId } })).toBe(1);
    expect(ended.logs.map((l) => l.line)).toContain("Cancel requested by sue@example.com: the running step is being stopped");
  });

  it("marks failed a task whose worker is silent, releasing its quota; refuses while the worker is alive", async () => {
    const taskId = await accepted("stuck-1");
    await until("the clone to run", () => db().taskStep.findFirst({ where: { taskId, key: "clone", status: "in_progress" } }));
    // The worker beats: refused.
    const alive = await post(markFailedRoute, "mark-failed", taskId, "sue");
    expect(alive.status).toBe(409);
    // As if its worker had been silent for an hour.
    const sue = await db().user.findUniqueOrThrow({ where: { email: "sue@example.com" } });
    const view = await markTaskFailed(sue, taskId, { now: new Date(Date.now() + 3_600_000) });
    expect(view.status).toBe("failed");
    expect(view.error).toBe("Marked failed by sue@example.com: its worker stopped answering");
    const vm = await db().vm.findFirstOrThrow({ where: { name: "stuck-1" } });
    expect(vm.deletedAt).not.toBeNull();
    expect(await db().auditEvent.count({ where: { action: "task.mark_failed", targetId: taskId } })).toBe(1);
    // Its worker stops at its next heartbeat and leaves the task as support ended it.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await api.task(taskId, "sue")).status).toBe("failed");

    // What it made is removed once its keep time is up (the worker's housekeeping).
    const kept = await db().vm.findUniqueOrThrow({ where: { id: vm.id } });
    if (kept.status === KEPT_FOR_RETRY) {
      const result = await taskHousekeeping(new Date(Date.now() + 2 * 3_600_000));
      expect(result.keptVms).toBeGreaterThanOrEqual(1);
      expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("failed");
      expect(api.sim.state.vms.has(Number(kept.providerRefId))).toBe(false);
    }
  });
});

describe("task search", () => {
  it("finds tasks by VM name, email, task id and provider task id; filters; pages with a cursor; users see their own", async () => {
    const ids: string[] = [];
    for (const name of ["findme-a", "findme-b", "findme-c"]) {
      const id = await accepted(name);
      ids.push(id);
      await api.settled(id);
    }
    const byName = await search({ q: "indme-" });
    expect(byName.status, byName.body.message).toBe(200);
    expect(byName.body.data!.tasks.map((t) => t.vm?.name)).toEqual(["findme-c", "findme-b", "findme-a"]);
    expect(byName.body.data!.tasks[0]).toMatchObject({ kind: "vm.create", status: "completed", user: { email: "ada@example.com" }, provider: { name: "lab", kind: "pve" } });

    // Keyset pagination: one at a time, in order, then the end.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof search>> = await search({ q: "findme", limit: "1", ...(cursor ? { cursor } : {}) });
      seen.push(...page.body.data!.tasks.map((t) => t.task_id));
      cursor = page.body.data!.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    expect((await search({ q: ids[0]!.slice(0, 18) })).body.data!.tasks.map((t) => t.task_id)).toContain(ids[0]);
    const upid = (await db().taskStep.findFirstOrThrow({ where: { taskId: ids[1]!, key: "clone" } })).providerTaskId!;
    expect((await search({ q: upid })).body.data!.tasks.map((t) => t.task_id)).toEqual([ids[1]]);
    expect((await search({ q: "ada@example", status: "completed", kind: "vm.create", provider: "lab" })).body.data!.tasks.length).toBeGreaterThanOrEqual(3);
    expect((await search({ q: "findme", status: "failed" })).body.data!.tasks).toEqual([]);
    expect((await search({ q: "findme", from: "2000-01-01", to: "2000-12-31" })).body.data!.tasks).toEqual([]);
    expect((await search({ user: "bob@example.com" })).body.data!.tasks).toEqual([]);
    // Support reads the provider's words; a user their own tasks only, without them.
    expect(byName.body.data!.tasks[0]).toHaveProperty("error_detail");
    const own = await search({ q: "findme" }, "ada");
    expect(own.body.data!.tasks.length).toBe(3);
    expect(own.body.data!.tasks[0]).not.toHaveProperty("error_detail");
    expect((await search({ q: "findme" }, "bob")).body.data!.tasks).toEqual([]);

    const bads: Record<string, string>[] = [{ status: "lost" }, { limit: "0" }, { limit: "x" }, { from: "yesterday" }, { cursor: "nonsense" }, { sort: "id" }];
    for (const bad of bads) {
      const res = await search(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
  });
});
