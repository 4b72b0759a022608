import { db } from "../db/client";
import { log } from "../log";
import { providerFor } from "../providers/registry";
import type { StepContext, VmProvider, VmRef } from "../providers/types";
import { taskDeadlines, withDeadline, DeadlineError } from "../tasks/deadline";
import { describeFailure } from "../tasks/failure";
import { appendLog, runSteps, type RunOutcome } from "../tasks/runner";
import { ACTION_LABELS } from "./action-rules";
import type { VmActionTaskInput } from "./vm-action";

/** The power state each action leaves the VM in. */
const resultingStatus = { start: "running", reboot: "running", stop: "stopped", shutdown: "stopped" } as const;

/** Runs compensation steps outside the task's own steps: their lines go to the task's log. */
async function runLoose(taskId: string, provider: VmProvider, steps: ReturnType<VmProvider["actionSteps"]>): Promise<void> {
  const facts: Record<string, unknown> = {};
  const ctx: StepContext = {
    get state() {
      return facts;
    },
    remember: async (more) => void Object.assign(facts, more),
    setUpid: async () => {},
    log: (lines) => appendLog(taskId, null, lines),
  };
  for (const step of steps) await step.run(ctx);
}

/** The VM's power state as the provider sees it, for the portal's record after a failure; null when it does not answer in time. */
async function observedStatus(provider: VmProvider, ref: VmRef): Promise<"running" | "stopped" | null> {
  try {
    const status = await withDeadline(taskDeadlines().cleanupMs, () => provider.status(ref), () => new DeadlineError("status"));
    return status.state === "running" || status.state === "paused" ? "running" : status.state === "stopped" ? "stopped" : null;
  } catch {
    return null;
  }
}

/**
 * The pg-boss handler of an action task (start, stop, shutdown, reboot, delete, resize). Resumes
 * at the first unfinished step. When the task completes, the portal's record follows: the power
 * state, or for a delete the VM is marked deleted (its quota released). When it fails for good,
 * the VM stays, its record shows what the provider reports, and a resize is undone: the old size
 * counts again and PVE's CPU cores and memory are set back. Provider calls after a failure have
 * deadlines (lib/tasks/deadline.ts), so the task always ends and the VM is free for the next
 * action. Throws only to ask pg-boss for a retry.
 */
export async function runVmAction(taskId: string, options: { final: boolean }): Promise<void> {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { vm: { include: { provider: true } } } });
  if (!task || !task.vm) {
    log.warn({ taskId }, "action task or its VM is gone; nothing to do");
    return;
  }
  if (task.status === "completed" || task.status === "failed" || task.status === "cancelled") return;
  const vm = task.vm;
  const input = task.input as unknown as VmActionTaskInput;
  const provider = providerFor(vm.provider);

  let outcome: RunOutcome;
  try {
    outcome = await runSteps(taskId, provider.actionSteps(input.action, input.ref, input.params), options);
  } catch (error) {
    // A failure of our own bookkeeping (database): let pg-boss retry unless this was the last try.
    if (!options.final) throw error;
    const failure = describeFailure(error);
    outcome = { status: "failed", error: failure.message, detail: failure.detail };
  }
  if (outcome.status === "retry") throw outcome.error;

  const label = `${vm.name} (VMID ${input.ref.vmid})`;
  if (outcome.status === "completed") {
    const vmUpdate =
      input.action === "delete"
        ? { status: "deleted", deletedAt: new Date(), ipAddress: null }
        : input.action === "resize"
          ? {}
          : { status: resultingStatus[input.action] };
    const done: Record<typeof input.action, string> = {
      start: `${label} is running`,
      stop: `${label} is stopped`,
      shutdown: `${label} is stopped`,
      reboot: `${label} was rebooted and is running`,
      delete: `${label} was deleted with its disks. Quota released.`,
      resize: `${label} now has ${input.wanted?.cpuCores} vCPU, ${input.wanted?.memoryMb} MB and ${input.wanted?.diskGb} GB`,
    };
    // The last line first: a page following the task stops reading once it has ended.
    await appendLog(taskId, null, done[input.action]);
    await db().$transaction([
      db().vm.update({ where: { id: vm.id }, data: vmUpdate }),
      db().task.update({ where: { id: taskId }, data: { status: "completed", progress: 100, finishedAt: new Date(), error: null, errorDetail: null } }),
    ]);
    return;
  }

  // Failed for good: the VM stays; say why, undo a resize, and record the state PVE reports.
  if (input.action === "resize" && input.previous) {
    const previous = input.previous;
    await db().vm.update({ where: { id: vm.id }, data: previous });
    await appendLog(taskId, null, `${outcome.error}. The previous size (${previous.cpuCores} vCPU, ${previous.memoryMb} MB, ${previous.diskGb} GB) counts against the quota again.`, "error", outcome.detail);
    const changed = input.params.resize ?? {};
    if (changed.cpuCores !== undefined || changed.memoryMb !== undefined) {
      try {
        await appendLog(taskId, null, "Setting the previous CPU cores and memory back on the provider");
        const back = {
          ...(changed.cpuCores !== undefined ? { cpuCores: previous.cpuCores } : {}),
          ...(changed.memoryMb !== undefined ? { memoryMb: previous.memoryMb } : {}),
        };
        const { stepMs } = taskDeadlines();
        await withDeadline(stepMs, () => runLoose(taskId, provider, provider.actionSteps("resize", input.ref, { resize: back })), () => new DeadlineError(`did not finish within ${stepMs / 1000} s`));
      } catch (error) {
        const failure = describeFailure(error);
        await appendLog(taskId, null, `Could not set the previous CPU cores and memory back: ${failure.message}`, "error", failure.detail);
      }
    }
  } else {
    const kept = input.action === "delete" ? " The VM was not deleted." : "";
    await appendLog(taskId, null, `${ACTION_LABELS[input.action]} failed: ${outcome.error}.${kept}`, "error", outcome.detail);
  }
  const observed = await observedStatus(provider, input.ref);
  if (observed) await appendLog(taskId, null, `${label} is ${observed}`);
  await db().$transaction([
    ...(observed ? [db().vm.update({ where: { id: vm.id }, data: { status: observed } })] : []),
    db().task.update({ where: { id: taskId }, data: { status: "failed", error: outcome.error, errorDetail: outcome.detail, finishedAt: new Date() } }),
  ]);
}
