import { db } from "../db/client";
import { log } from "../log";
import { notify, type NotificationInput } from "./notify";

type Phrases = { done: (vm: string, status: string) => string; failed: (vm: string) => string };

/** What a finished task of each kind says, by the task's kind (lib/vms: vm.create, vm.start, …). */
const PHRASES: Record<string, Phrases> = {
  "vm.create": { done: (vm, status) => (status === "running" ? `Your VM ${vm} is running` : `Your VM ${vm} is ready`), failed: (vm) => `Creating your VM ${vm} failed` },
  "vm.start": { done: (vm) => `Your VM ${vm} is running`, failed: (vm) => `Starting your VM ${vm} failed` },
  "vm.stop": { done: (vm) => `Your VM ${vm} is stopped`, failed: (vm) => `Stopping your VM ${vm} failed` },
  "vm.shutdown": { done: (vm) => `Your VM ${vm} is shut down`, failed: (vm) => `Shutting down your VM ${vm} failed` },
  "vm.reboot": { done: (vm) => `Your VM ${vm} was rebooted`, failed: (vm) => `Rebooting your VM ${vm} failed` },
  "vm.resize": { done: (vm) => `Your VM ${vm} was resized`, failed: (vm) => `Resizing your VM ${vm} failed` },
  "vm.delete": { done: (vm) => `Your VM ${vm} was deleted`, failed: (vm) => `Deleting your VM ${vm} failed` },
};
const FALLBACK: Phrases = { done: (vm) => `The task on your VM ${vm} completed`, failed: (vm) => `The task on your VM ${vm} failed` };

/** The notification for a finished task, or null when there is nothing to tell (not finished, or cancelled). Pure. */
export function taskFinishedMessage(task: {
  id: string;
  kind: string;
  status: string;
  error: string | null;
  input: unknown;
  vm: { id: string; name: string; status: string; ipAddress: string | null; deletedAt: Date | null } | null;
}): NotificationInput | null {
  const inputName = typeof (task.input as { name?: unknown } | null)?.name === "string" ? (task.input as { name: string }).name : null;
  const vmName = task.vm?.name ?? inputName ?? "(unnamed)";
  const phrases = PHRASES[task.kind] ?? FALLBACK;
  if (task.status === "completed") {
    const gone = task.kind === "vm.delete" || !task.vm || task.vm.deletedAt !== null;
    const ip = task.vm?.ipAddress && !gone && task.vm.status === "running" ? ` Its IP address is ${task.vm.ipAddress}.` : "";
    return {
      kind: "task_completed",
      title: phrases.done(vmName, task.vm?.status ?? ""),
      body: gone ? `${vmName} and its disks were removed.` : `The task finished successfully.${ip}`,
      link: gone ? "/vms" : `/vms/${task.vm!.id}`,
    };
  }
  if (task.status === "failed") {
    return {
      kind: "task_failed",
      title: phrases.failed(vmName),
      // Task.error is written in words for users; errorDetail (the provider's own) is never used here.
      body: task.error?.trim() || "The task failed; open it to see what happened.",
      link: `/tasks/${task.id}`,
    };
  }
  return null;
}

/**
 * Tells a task's owner that it completed or failed: "Your VM web-1 is running" linking to the VM,
 * or the user-facing error (Task.error, never the provider's details) linking to the task page.
 * For the task engine to call once the task's final status is written (after that transaction
 * commits). A second call for the same finish (job retries) tells nothing new. Cancelled or
 * unfinished tasks tell nothing. Never throws: a problem is logged and answers null.
 * Returns the notification's id, or null when nothing was told.
 */
export async function notifyTaskFinished(taskId: string): Promise<string | null> {
  try {
    const task = await db().task.findUnique({
      where: { id: taskId },
      select: { id: true, kind: true, status: true, error: true, input: true, userId: true, finishedAt: true, updatedAt: true, vm: { select: { id: true, name: true, status: true, ipAddress: true, deletedAt: true } } },
    });
    if (!task) return null;
    const message = taskFinishedMessage(task);
    if (!message) return null;
    const finishedAt = task.finishedAt ?? task.updatedAt;
    const already = await db().notification.findFirst({ where: { userId: task.userId, kind: message.kind, link: message.link, title: message.title, createdAt: { gte: finishedAt } }, select: { id: true } });
    if (already) return null;
    return (await notify(task.userId, message)).id;
  } catch (error) {
    log.warn({ taskId, reason: error instanceof Error ? error.message.slice(0, 300) : "unknown" }, "could not notify about a finished task");
    return null;
  }
}
