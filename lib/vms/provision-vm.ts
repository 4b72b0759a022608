import { decryptJson } from "../crypto/secrets";
import { db } from "../db/client";
import { log } from "../log";
import { providerFor } from "../providers/registry";
import type { CreateVmSpec } from "../providers/types";
import { DeadlineError, taskDeadlines, withDeadline } from "../tasks/deadline";
import { describeFailure } from "../tasks/failure";
import { appendLog, runSteps, type RunOutcome } from "../tasks/runner";
import type { CreateVmTaskInput } from "./create-vm";

const failedWith = (error: unknown) => {
  const failure = describeFailure(error);
  return { error: failure.message, detail: failure.detail };
};

/** Facts the provisioning steps remember, merged over all steps. */
async function taskFacts(taskId: string): Promise<Record<string, unknown>> {
  const steps = await db().taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" } });
  return Object.assign({}, ...steps.map((s) => (s.detail && typeof s.detail === "object" ? s.detail : {})));
}

/**
 * The pg-boss handler of a create-VM task. Resumes at the first unfinished step; on a failure
 * that will not be retried, ends the task `failed` (words for the user, the provider's own for
 * staff: lib/tasks/failure.ts), releases the reserved quota, and destroys the half-made VM (or
 * marks it for clean-up if that fails too or passes the step deadline).
 * Throws only to ask pg-boss for a retry.
 */
export async function provisionVm(taskId: string, options: { final: boolean }): Promise<void> {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { vm: { include: { provider: true } } } });
  if (!task || !task.vm) {
    log.warn({ taskId }, "create task or its VM is gone; nothing to do");
    return;
  }
  if (task.status === "completed" || task.status === "failed" || task.status === "cancelled") return;
  const input = task.input as unknown as CreateVmTaskInput;
  const secrets = input.sealed ? decryptJson<{ cipassword?: string; sshKeys?: string[] }>(input.sealed) : {};
  const spec: CreateVmSpec = { ...input.spec, ...secrets };
  const provider = providerFor(task.vm.provider);

  let outcome: RunOutcome;
  try {
    outcome = await runSteps(taskId, provider.provisionSteps(spec), options);
  } catch (error) {
    // A failure of our own bookkeeping (database): let pg-boss retry unless this was the last try.
    if (!options.final) throw error;
    outcome = { status: "failed", ...failedWith(error) };
  }
  if (outcome.status === "retry") throw outcome.error;

  const facts = await taskFacts(taskId);
  const vmid = typeof facts.vmid === "number" ? facts.vmid : task.vm.vmid;
  if (outcome.status === "completed") {
    await db().$transaction([
      db().vm.update({
        where: { id: task.vm.id },
        data: { status: "running", vmid, node: spec.targetNode, ipAddress: typeof facts.ipAddress === "string" ? facts.ipAddress : null },
      }),
      db().task.update({ where: { id: taskId }, data: { status: "completed", progress: 100, finishedAt: new Date(), error: null, errorDetail: null } }),
    ]);
    await appendLog(taskId, null, `VM ${spec.name} (VMID ${vmid}) is running${facts.ipAddress ? ` at ${String(facts.ipAddress)}` : ""}`);
    return;
  }

  // Failed: release the reservation at once (the VM row no longer counts), clean up on the
  // provider, and only then end the task, so that a failed task never has a VM left behind
  // unless it says so.
  await db().vm.update({ where: { id: task.vm.id }, data: { status: "failed", deletedAt: new Date(), vmid } });
  await appendLog(taskId, null, `${outcome.error}. Quota released.`, "error", outcome.detail);
  if (facts.cloned === true && typeof vmid === "number") {
    try {
      const { stepMs } = taskDeadlines();
      await withDeadline(stepMs, () => provider.destroyVm({ node: spec.targetNode, vmid }, (lines) => appendLog(taskId, null, lines)), () => new DeadlineError(`did not finish within ${stepMs / 1000} s`));
      await appendLog(taskId, null, `Removed the half-made VM ${vmid}.`);
      await db().vm.update({ where: { id: task.vm.id }, data: { status: "destroyed" } });
    } catch (error) {
      const failure = describeFailure(error);
      await appendLog(taskId, null, `Could not remove the half-made VM ${vmid}: ${failure.message}. It is marked for clean-up.`, "error", failure.detail);
      await db().vm.update({ where: { id: task.vm.id }, data: { status: "cleanup_required" } });
    }
  }
  await db().task.update({ where: { id: taskId }, data: { status: "failed", error: outcome.error, errorDetail: outcome.detail, finishedAt: new Date() } });
}
