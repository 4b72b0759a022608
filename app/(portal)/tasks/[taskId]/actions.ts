"use server";

import { headers } from "next/headers";
import { isPlausibleId } from "@/lib/api/ids";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import { requirePermission } from "@/lib/auth/guards";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { cancelTask, markTaskFailed, retryTask, TASK_NOT_FOUND } from "@/lib/tasks/actions";
import type { TaskView } from "@/lib/tasks/get-task";

export type TaskActionResult = ActionResult<{ status: string }>;

/** The task page's and the monitor's buttons: the same domain calls as POST /api/v1/tasks/{id}/…, so the same checks, audit and messages. */
async function run(taskId: unknown, call: typeof retryTask): Promise<TaskActionResult> {
  const user = await requirePermission("vms.own");
  // Server actions are public endpoints: their arguments are checked like any request's.
  if (!isPlausibleId(taskId)) return { ok: false, error: TASK_NOT_FOUND };
  const ip = (await headers()).get(CLIENT_IP_HEADER);
  return actionResult(async () => {
    const task: TaskView = await call(user, taskId, { ip });
    return { status: task.status };
  });
}

/** Retry a failed task from its failed step. */
export async function retryTaskAction(taskId: string): Promise<TaskActionResult> {
  return run(taskId, retryTask);
}

/** Cancel a pending or running task. */
export async function cancelTaskAction(taskId: string): Promise<TaskActionResult> {
  return run(taskId, cancelTask);
}

/** Mark failed a task whose worker is gone, releasing its quota. */
export async function markTaskFailedAction(taskId: string): Promise<TaskActionResult> {
  return run(taskId, markTaskFailed);
}
