import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { db } from "../db/client";
import { env } from "../env";
import { AppError } from "../errors";
import { withoutUrls } from "./failure";

export type TaskView = {
  task_id: string;
  kind: string;
  status: string;
  progress: number;
  /** Why it failed, in words for its user. */
  error: string | null;
  /** The provider's own words behind `error`: present only for support and admins. */
  error_detail?: string | null;
  /** A completed task's warnings for its user (e.g. "no IP yet: …"): completed, with something to know. */
  warnings: string[];
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The worker's last heartbeat while a step ran (issue 12). */
  heartbeat_at: string | null;
  /** Pending or running without a heartbeat for HANGAR_STUCK_MINUTES: its worker may be gone. */
  stuck: boolean;
  /** A cancel was asked of the running task; its worker is stopping it. */
  cancel_requested: boolean;
  vm: { id: string; name: string; provider_ref: string | null; status: string; ip_address: string | null } | null;
  steps: { position: number; key: string; name: string; status: string; provider_task_id: string | null; error: string | null; error_detail?: string | null; started_at: string | null; finished_at: string | null }[];
  logs: { id: string; at: string; level: string; line: string; detail?: string | null; step: number | null }[];
};

/** The `notices` a task kind's completed hook stored in the result. */
export function warningsOf(result: unknown): string[] {
  const notices = result && typeof result === "object" && !Array.isArray(result) ? (result as { notices?: unknown }).notices : undefined;
  return Array.isArray(notices) ? notices.filter((n): n is string => typeof n === "string") : [];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A task with its steps and log lines: its requester's, the owner's of its VM (an admin may have
 * acted on it), or anyone's for support and admins. Only support and admins get the provider's
 * details (`error_detail`, `detail`: issue 7, finding 9); for everyone else the keys are absent
 * and any URL left in a message or line (tasks written before details were kept apart) is
 * replaced, so a provider's address never reaches a user.
 */
export async function getTask(user: AuthenticatedUser, taskId: string, options: { logsAfter?: bigint } = {}): Promise<TaskView> {
  const task = await db().task.findUnique({
    where: { id: taskId },
    include: {
      vm: true,
      steps: { orderBy: { position: "asc" } },
      logs: { orderBy: { id: "asc" }, where: options.logsAfter ? { id: { gt: options.logsAfter } } : undefined, take: 2000 },
    },
  });
  const staff = can(user.role, "tasks.monitor");
  if (!task || (task.userId !== user.id && task.vm?.ownerId !== user.id && !staff)) throw new AppError("not_found", "Task not found");
  const positions = new Map(task.steps.map((s) => [s.id, s.position]));
  const shown = (text: string | null) => (text === null || staff ? text : withoutUrls(text));
  return {
    task_id: task.id,
    kind: task.kind,
    status: task.status,
    progress: task.progress,
    error: shown(task.error),
    ...(staff ? { error_detail: task.errorDetail } : {}),
    warnings: warningsOf(task.result),
    created_at: task.createdAt.toISOString(),
    started_at: iso(task.startedAt),
    finished_at: iso(task.finishedAt),
    heartbeat_at: iso(task.heartbeatAt),
    stuck: (task.status === "pending" || task.status === "in_progress") && (task.heartbeatAt ?? task.startedAt ?? task.createdAt).getTime() < Date.now() - env().HANGAR_STUCK_MINUTES * 60_000,
    cancel_requested: task.cancelRequestedAt !== null,
    vm: task.vm ? { id: task.vm.id, name: task.vm.name, provider_ref: task.vm.providerRefId, status: task.vm.status, ip_address: task.vm.ipAddress } : null,
    steps: task.steps.map((s) => ({
      position: s.position,
      key: s.key,
      name: s.name,
      status: s.status,
      provider_task_id: s.providerTaskId,
      error: shown(s.error),
      ...(staff ? { error_detail: s.errorDetail } : {}),
      started_at: iso(s.startedAt),
      finished_at: iso(s.finishedAt),
    })),
    logs: task.logs.map((l) => ({
      id: l.id.toString(),
      at: l.at.toISOString(),
      level: l.level,
      line: shown(l.line)!,
      ...(staff ? { detail: l.detail } : {}),
      step: l.stepId ? (positions.get(l.stepId) ?? null) : null,
    })),
  };
}
