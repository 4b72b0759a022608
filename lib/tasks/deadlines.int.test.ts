import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { resetEnvCache } from "../env";
import { startVmApi, type VmApi } from "../testing/vm-api";

/**
 * Finding 10 of issue 7: a provider answering after 35 s kept a task `in_progress` for minutes,
 * retrying, and the VM accepted no other action. Every provider call and every step now has a
 * deadline (short ones here): the task fails with a reason, and the VM is free again.
 */
let api: VmApi;

function deadlines(values: { provider: number; call: number; step: number }) {
  process.env.HANGAR_PROVIDER_TIMEOUT_SECONDS = String(values.provider);
  process.env.HANGAR_PROVIDER_CALL_TIMEOUT_SECONDS = String(values.call);
  process.env.HANGAR_STEP_TIMEOUT_SECONDS = String(values.step);
  resetEnvCache();
}

beforeAll(async () => {
  api = await startVmApi();
}, 120_000);

afterAll(async () => {
  for (const name of ["HANGAR_PROVIDER_TIMEOUT_SECONDS", "HANGAR_PROVIDER_CALL_TIMEOUT_SECONDS", "HANGAR_STEP_TIMEOUT_SECONDS"]) delete process.env[name];
  resetEnvCache();
  await api?.stop();
});

beforeEach(() => {
  api.sim.faults.reset();
  deadlines({ provider: 30, call: 60, step: 1800 });
});

async function freeAgain(vmId: string) {
  api.sim.faults.reset();
  const next = await api.act(vmId, "reboot");
  expect(next.status, next.body.message).toBe(200);
  expect((await api.settled(next.body.data!.task_id)).status).toBe("completed");
}

describe("deadlines of provider work", () => {
  it("a step waiting on a provider that answers after 35 s fails at the step's deadline, with a reason", async () => {
    const vm = await api.runningVm("slow-1");
    deadlines({ provider: 30, call: 60, step: 2 });
    api.sim.faults.slowDown(35_000);
    const accepted = await api.act(vm.id, "reboot");
    expect(accepted.status).toBe(200);
    const started = Date.now();
    const t = await api.settled(accepted.body.data!.task_id, 20_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(t.status).toBe("failed");
    expect(t.error).toBe("Reboot VM did not finish within 2 s (the provider may be slow or not answering); try again later");
    expect(t.steps[0]).toMatchObject({ status: "failed" });
    // The VM is free: its next action is accepted (and runs once the provider answers).
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("running");
    await freeAgain(vm.id);
  }, 60_000);

  // The retried job must come back after its retry delay (5–10 s), not at pg-boss's relaxed 30 s
  // poll of queues that are woken by NOTIFY (a retry is announced by nobody): lib/jobs/worker.ts.
  it("calls give up at their deadline, the job retries, and the step's deadline counts the retries", async () => {
    const vm = await api.runningVm("slow-2");
    deadlines({ provider: 0.4, call: 1, step: 3 });
    api.sim.faults.slowDown(35_000);
    const accepted = await api.act(vm.id, "reboot");
    const taskId = accepted.body.data!.task_id;
    const t = await api.settled(taskId, 30_000);
    expect(t.status).toBe("failed");
    expect(t.error).toBe("Reboot VM did not finish within 3 s (the provider may be slow or not answering); try again later");
    const staff = await api.task(taskId, "sue");
    const lines = staff.logs.map((l) => l.line);
    // First attempt: the call's deadline, and a retry; then the step's deadline ends it.
    expect(lines).toContain("Reboot VM: The provider did not answer; try again later (will retry)");
    expect(staff.logs.find((l) => l.line.endsWith("(will retry)"))?.detail).toMatch(/deadline of 1000 ms/);
    expect(staff.steps[0]!.error_detail).toMatch(/^network: .*timed out/);
    await freeAgain(vm.id);
  }, 60_000);

  it("a job retried after a provider error runs again once its retry delay is over, not at the next 30 s poll", async () => {
    const vm = await api.runningVm("retry-1");
    // PVE does not handle the reboot call four times (every attempt of the call): the job is retried.
    for (const n of [1, 2, 3, 4]) api.sim.faults.failNthCall({ method: "POST", pathPattern: /\/status\/reboot$/, n, status: 503, message: "Service Unavailable" });
    const accepted = await api.act(vm.id, "reboot");
    expect(accepted.status).toBe(200);
    const started = Date.now();
    const t = await api.settled(accepted.body.data!.task_id, 40_000);
    expect(t.status).toBe("completed");
    expect(t.logs.map((l) => l.line).some((l) => l.endsWith("(will retry)"))).toBe(true);
    // The call's four attempts take about 2 s, the job's first retry comes 5–10 s later (retryDelay
    // 5 with backoff) and is found within the 2 s poll; pg-boss's 30 s poll would find it after 30 s.
    expect(Date.now() - started).toBeLessThan(22_000);
  }, 60_000);
});
