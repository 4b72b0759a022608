import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { stopBoss } from "../jobs/boss";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { ProviderError, type ProviderStep } from "../providers/types";
import { useMigratedDatabase } from "../testing/test-db";
import { createFromTemplate } from "../api/seed-create-from-template";
import { vmTaskKinds } from "../vms/task-kinds";
import { runSteps, runTask } from "./engine";

const provisionVm = (taskId: string, options: { final: boolean }) => runTask(vmTaskKinds, taskId, options);

/**
 * A job retried after a retryable fault resumes at the step that failed: steps that completed
 * are not run again. First with counting steps on the runner itself, then end to end: a create
 * task whose configure step meets a provider outage after the clone completed clones once.
 * (No pg-boss worker runs here: the test calls the job handler as pg-boss would on each try.)
 */
let database: { url: string; drop: () => Promise<void> };
let sim: PveSimulator;
let user: { id: string; email: string; name: string; role: "user" };

beforeAll(async () => {
  database = await useMigratedDatabase();
  sim = await startPveSimulator(
    demoClusterOptions({ authFailureDelayMs: 0, agentDelayMs: 100, taskDurationMs: { qmclone: 300, qmstart: 100, qmstop: 100, qmdestroy: 100, resize: 100, qmconfig: 50 } }),
  );
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true } }],
    templates: [{ name: "ubuntu-24.04", provider: "lab", node: "pve1", vmid: 9000, public: true, ciuser: "ubuntu", minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 32 }],
    plans: [{ name: "small", default: true, perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 8, memoryMb: 16384, diskGb: 300, vms: 3 } }],
    users: [{ email: "ada@example.com", password: "long-enough-pw", role: "user", plan: "small" }],
  });
  const row = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
  user = { id: row.id, email: row.email, name: row.name, role: "user" };
}, 120_000);

afterAll(async () => {
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

describe("the task runner on a retried job", () => {
  it("runs each completed step once: a retry resumes at the step that failed", async () => {
    const task = await db().task.create({
      data: {
        id: `test-${Date.now()}`,
        kind: "test",
        userId: user.id,
        steps: { create: ["First", "Second", "Third"].map((name, position) => ({ key: name.toLowerCase(), name, position })) },
      },
    });
    const runs: Record<string, number> = { First: 0, Second: 0, Third: 0 };
    const steps: ProviderStep[] = ["First", "Second", "Third"].map((name) => ({
      key: name.toLowerCase(),
      name,
      run: async (ctx) => {
        runs[name]! += 1;
        if (name === "First") await ctx.remember({ made: "thing-1" });
        if (name === "Second") {
          expect(ctx.facts.made).toBe("thing-1"); // what an earlier step remembered survives the retry
          if (runs.Second === 1) throw new ProviderError("unavailable", "503 Service Unavailable");
        }
      },
    }));

    const first = await runSteps(task.id, steps, { final: false });
    expect(first.status).toBe("retry");
    expect(runs).toEqual({ First: 1, Second: 1, Third: 0 });
    const afterFirst = await db().taskStep.findMany({ where: { taskId: task.id }, orderBy: { position: "asc" } });
    expect(afterFirst.map((s) => s.status)).toEqual(["completed", "in_progress", "pending"]);

    const second = await runSteps(task.id, steps, { final: false });
    expect(second.status).toBe("completed");
    expect(runs).toEqual({ First: 1, Second: 2, Third: 1 });
    const afterSecond = await db().taskStep.findMany({ where: { taskId: task.id }, orderBy: { position: "asc" } });
    expect(afterSecond.map((s) => s.status)).toEqual(["completed", "completed", "completed"]);
    // The completed step was not touched again.
    expect(afterSecond[0]!.finishedAt).toEqual(afterFirst[0]!.finishedAt);
  });

  it("a retryable provider fault after a completed clone resumes without cloning again", async () => {
    const clones = () => [...sim.tasks.values()].filter((t) => t.type === "qmclone").length;
    const clonesBefore = clones();
    const accepted = await createFromTemplate(user, { template_id: "ubuntu-24.04", name: "resumed", target: "pve1", cpuCores: 2, memorySize: 2048, diskSize: 40 });

    // The configure step (after the clone) meets PVE answering 503 on every try the client makes.
    for (let n = 1; n <= 8; n++) sim.faults.failNthCall({ method: "PUT", pathPattern: /\/qemu\/\d+\/config$/, n, status: 503, message: "Service Unavailable" });
    await expect(provisionVm(accepted.task_id, { final: false })).rejects.toThrow(/Service Unavailable|503/);
    const afterFault = await db().taskStep.findMany({ where: { taskId: accepted.task_id }, orderBy: { position: "asc" } });
    const clone = afterFault.find((s) => s.name === "Clone template")!;
    expect(clone.status).toBe("completed");
    expect(afterFault.find((s) => s.name.startsWith("Configure"))!.status).toBe("in_progress");
    expect(clones()).toBe(clonesBefore + 1);

    // The retry (pg-boss runs the handler again): every request about the clone is counted.
    sim.faults.reset();
    sim.faults.failNthCall({ pathPattern: /qmclone|\/clone$/, n: 1_000_000, status: 500, message: "counting only" });
    await provisionVm(accepted.task_id, { final: false });
    // The fault injector counts matching calls (its summary is not part of the SimFaults interface).
    const cloneCalls = ((sim.faults as unknown as { summary(): { failNthCall: { seen: number }[] } }).summary().failNthCall)[0]!.seen;
    sim.faults.reset();

    const done = await db().task.findUniqueOrThrow({ where: { id: accepted.task_id }, include: { steps: { orderBy: { position: "asc" } }, vm: true } });
    expect(done.status, done.error ?? "").toBe("completed");
    expect(done.steps.every((s) => s.status === "completed")).toBe(true);
    expect(clones()).toBe(clonesBefore + 1); // cloned once, not again
    expect(cloneCalls).toBe(0); // not even waited for again
    expect(done.steps.find((s) => s.name === "Clone template")!.finishedAt).toEqual(clone.finishedAt);
    expect(done.vm?.status).toBe("running");
    expect([...sim.state.vms.values()].filter((vm) => vm.config.name === "resumed")).toHaveLength(1);
  }, 60_000);
});
