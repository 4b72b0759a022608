import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { stopBoss } from "../jobs/boss";
import { ProviderError, type ProviderStep } from "../providers/types";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { cancelTask, runTask, type TaskKinds } from "./engine";
import type { TaskKind } from "./kinds";
import { PROVIDER_FAILURE_MESSAGES } from "./failure";
import { acceptTask } from "./store";

/**
 * The task engine drives a provider that is not Proxmox VE: a small in-memory "cloud" whose
 * create is three steps (make a machine, attach a disk, power on) with a provider task id of its
 * own kind, faults to inject (a retryable one, a final one), and a clean-up that removes what a
 * failed create made. Nothing here knows PVE.
 */
type Machine = { id: string; disk: boolean; on: boolean };

class TinyCloud {
  machines = new Map<string, Machine>();
  calls: string[] = [];
  /** Step key → errors to throw, one per call, before the step succeeds. */
  faults = new Map<string, Error[]>();

  private fault(key: string): void {
    const next = this.faults.get(key)?.shift();
    if (next) throw next;
  }

  createSteps(name: string): ProviderStep[] {
    return [
      {
        key: "make",
        name: "Make the machine",
        run: async (ctx) => {
          this.calls.push("make");
          this.fault("make");
          if (typeof ctx.facts.machine === "string") return; // made in an earlier attempt
          const id = `m-${name}`;
          this.machines.set(id, { id, disk: false, on: false });
          await ctx.remember({ machine: id });
          await ctx.recordProviderTask(`job-make-${id}`);
          await ctx.log(`machine ${id} made`);
        },
      },
      {
        key: "disk",
        name: "Attach a disk",
        run: async (ctx) => {
          this.calls.push("disk");
          this.fault("disk");
          this.machines.get(String(ctx.facts.machine))!.disk = true;
        },
      },
      {
        key: "power",
        name: "Power on",
        run: async (ctx) => {
          this.calls.push("power");
          this.fault("power");
          this.machines.get(String(ctx.facts.machine))!.on = true;
          await ctx.recordProviderTask(`job-power-${String(ctx.facts.machine)}`);
        },
      },
    ];
  }

  cleanupSteps(machine: string): ProviderStep[] {
    return [
      {
        key: "remove",
        name: "Remove the machine",
        run: async (ctx) => {
          this.machines.delete(machine);
          await ctx.log(`machine ${machine} removed`);
        },
      },
    ];
  }
}

const cloud = new TinyCloud();
const FAILED = PROVIDER_FAILURE_MESSAGES.task_failed;
const outcomes: string[] = [];

const tinyCreate: TaskKind<{ name: string }> = {
  name: "tiny.create",
  queue: "vmAction",
  async plan(task) {
    return {
      steps: cloud.createSteps(task.input.name),
      async completed({ facts }) {
        outcomes.push(`completed ${task.id}`);
        return { result: { machine: String(facts.machine) }, line: `machine ${String(facts.machine)} is on` };
      },
      async cancelled() {
        outcomes.push(`cancelled ${task.id}`);
      },
      async failed({ error, detail, facts, log, runLoose }) {
        outcomes.push(`failed ${task.id}`);
        await log(`${error}. Cleaning up.`, "error", detail);
        if (typeof facts.machine === "string") await runLoose(cloud.cleanupSteps(facts.machine));
      },
    };
  },
};
const kinds: TaskKinds = { "tiny.create": tinyCreate as TaskKind<never> };

let database: { drop: () => Promise<void> };
let userId: string;
beforeAll(async () => {
  database = await useMigratedDatabase();
  userId = (await createUser({ email: "engine@example.com", password: "long-enough" })).id;
});
afterAll(async () => {
  await stopBoss();
  await database.drop();
});

async function accept(id: string, name: string): Promise<void> {
  await db().$transaction((tx) =>
    acceptTask(tx, tinyCreate as TaskKind<never>, {
      id,
      userId,
      vmId: null,
      input: { name },
      steps: [{ key: "reserve", name: "Reserve", done: true }, ...cloud.createSteps(name).map((s) => ({ key: s.key, name: s.name }))],
      line: `Accepted: ${name}`,
    }),
  );
}

const taskOf = (id: string) => db().task.findUniqueOrThrow({ where: { id }, include: { steps: { orderBy: { position: "asc" } }, logs: { orderBy: { id: "asc" } } } });

describe("the task engine with a provider that is not PVE", () => {
  it("runs the three steps in order, recording provider task ids, facts, progress and the result", async () => {
    await accept("tiny-1", "a");
    expect((await taskOf("tiny-1")).progress).toBe(25);
    cloud.calls = [];
    await runTask(kinds, "tiny-1", { final: false });
    const task = await taskOf("tiny-1");
    expect(task).toMatchObject({ status: "completed", progress: 100, error: null, result: { machine: "m-a" } });
    expect(task.steps.map((s) => [s.key, s.status, s.providerTaskId])).toEqual([
      ["reserve", "completed", null],
      ["make", "completed", "job-make-m-a"],
      ["disk", "completed", null],
      ["power", "completed", "job-power-m-a"],
    ]);
    expect(cloud.calls).toEqual(["make", "disk", "power"]);
    expect(cloud.machines.get("m-a")).toEqual({ id: "m-a", disk: true, on: true });
    expect(task.logs.map((l) => l.line)).toEqual(["Accepted: a", "machine m-a made", "machine m-a is on"]);
    // A task that has ended is not run again.
    await runTask(kinds, "tiny-1", { final: false });
    expect(cloud.calls).toEqual(["make", "disk", "power"]);
  });

  it("a retryable fault asks for a retry; the retried job resumes at the unfinished step", async () => {
    await accept("tiny-2", "b");
    cloud.calls = [];
    cloud.faults.set("disk", [new ProviderError("network", "connection reset")]);
    await expect(runTask(kinds, "tiny-2", { final: false })).rejects.toThrow("connection reset");
    let task = await taskOf("tiny-2");
    expect(task.status).toBe("in_progress");
    expect(task.steps.map((s) => s.status)).toEqual(["completed", "completed", "in_progress", "pending"]);
    // Users read the failure in words; the provider's own are kept for staff.
    expect(task.logs.map((l) => [l.line, l.detail])).toContainEqual(["Attach a disk: The provider did not answer; try again later (will retry)", "network: connection reset"]);

    await runTask(kinds, "tiny-2", { final: false }); // pg-boss's retry
    task = await taskOf("tiny-2");
    expect(task.status).toBe("completed");
    // The machine was made once: the finished step was skipped, the failed one ran again.
    expect(cloud.calls).toEqual(["make", "disk", "disk", "power"]);
    expect(cloud.machines.get("m-b")).toEqual({ id: "m-b", disk: true, on: true });
  });

  it("a failure ends the task failed with the provider's words and cleans up what was made", async () => {
    await accept("tiny-3", "c");
    cloud.faults.set("power", [new ProviderError("task_failed", "no capacity left in zone 1")]);
    await runTask(kinds, "tiny-3", { final: false });
    const task = await taskOf("tiny-3");
    expect(task).toMatchObject({ status: "failed", error: FAILED, errorDetail: "task_failed: no capacity left in zone 1" });
    expect(task.steps.map((s) => [s.key, s.status, s.error])).toEqual([
      ["reserve", "completed", null],
      ["make", "completed", null],
      ["disk", "completed", null],
      ["power", "failed", FAILED],
    ]);
    expect(cloud.machines.has("m-c")).toBe(false);
    expect(task.logs.map((l) => l.line)).toEqual(["Accepted: c", "machine m-c made", `Power on failed: ${FAILED}`, `${FAILED}. Cleaning up.`, "machine m-c removed"]);
    expect(outcomes).toContain("failed tiny-3");
  });

  it("on the last attempt a retryable fault fails the task instead of asking for another retry", async () => {
    await accept("tiny-4", "d");
    cloud.faults.set("make", [new ProviderError("unavailable", "503 Service Unavailable")]);
    await runTask(kinds, "tiny-4", { final: true });
    expect(await taskOf("tiny-4")).toMatchObject({ status: "failed", error: PROVIDER_FAILURE_MESSAGES.unavailable, errorDetail: "unavailable: 503 Service Unavailable" });
    expect(cloud.machines.has("m-d")).toBe(false);
  });

  it("a task accepted before an upgrade gets the plan steps it lacks (matched by key), in plan order; steps the plan dropped are skipped", async () => {
    // Accepted by an older version: no "disk" step yet, and a step ("warm") the plan no longer has.
    const old = cloud.createSteps("f").filter((s) => s.key !== "disk");
    await db().$transaction((tx) =>
      acceptTask(tx, tinyCreate as TaskKind<never>, {
        id: "tiny-6",
        userId,
        vmId: null,
        input: { name: "f" },
        steps: [{ key: "reserve", name: "Reserve", done: true }, ...old.map((s) => ({ key: s.key, name: s.name })), { key: "warm", name: "Warm up" }],
        line: "Accepted: f",
      }),
    );
    cloud.calls = [];
    await runTask(kinds, "tiny-6", { final: false });
    const task = await taskOf("tiny-6");
    expect(task.status).toBe("completed");
    expect(task.steps.map((s) => [s.position, s.key, s.status])).toEqual([
      [0, "reserve", "completed"],
      [1, "make", "completed"],
      [2, "disk", "completed"],
      [3, "power", "completed"],
      [4, "warm", "skipped"],
    ]);
    expect(cloud.calls).toEqual(["make", "disk", "power"]);
    expect(cloud.machines.get("m-f")).toEqual({ id: "m-f", disk: true, on: true });
    expect(task.logs.map((l) => l.line)).toContain("Added a step this task did not have when it was accepted: Attach a disk");
  });

  it("a task that has not started can be cancelled (its kind undoes the accept); a started one cannot", async () => {
    await accept("tiny-5", "e");
    await cancelTask(kinds, "tiny-5");
    const task = await taskOf("tiny-5");
    expect(task.status).toBe("cancelled");
    expect(task.steps.map((s) => s.status)).toEqual(["completed", "skipped", "skipped", "skipped"]);
    expect(outcomes).toContain("cancelled tiny-5");
    await runTask(kinds, "tiny-5", { final: false }); // its job, if it still runs, does nothing
    expect(cloud.machines.has("m-e")).toBe(false);
    await expect(cancelTask(kinds, "tiny-1")).rejects.toThrow("Only a task that has not started can be cancelled");
  });
});
