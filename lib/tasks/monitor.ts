import { db } from "../db/client";
import type { Db } from "../db/client";

/** A task still pending or in progress, untouched for this long, is shown as stuck. */
export const STUCK_MINUTES = 15;

export const TASK_FILTERS = {
  all: { label: "All", where: {} },
  active: { label: "Running", where: { status: { in: ["pending", "in_progress"] } } },
  stuck: { label: "Stuck", where: { status: { in: ["pending", "in_progress"] } } },
  failed: { label: "Failed", where: { status: "failed" } },
  completed: { label: "Completed", where: { status: "completed" } },
} as const satisfies Record<string, { label: string; where: Db.Prisma.TaskWhereInput }>;
export type TaskFilter = keyof typeof TASK_FILTERS;

export function parseTaskFilter(value: string | undefined): TaskFilter {
  return value && value in TASK_FILTERS ? (value as TaskFilter) : "all";
}

/** Support's view of every task: one filter's tasks, counts per state, and how many are stuck. */
export async function taskMonitor(filter: TaskFilter, now = new Date()) {
  const stuckBefore = new Date(now.getTime() - STUCK_MINUTES * 60_000);
  const where: Db.Prisma.TaskWhereInput = { ...TASK_FILTERS[filter].where, ...(filter === "stuck" ? { updatedAt: { lt: stuckBefore } } : {}) };
  const [tasks, counts, stuck] = await Promise.all([
    db().task.findMany({ where, orderBy: { createdAt: "desc" }, take: 200, include: { user: { select: { email: true } } } }),
    db().task.groupBy({ by: ["status"], _count: { _all: true } }),
    db().task.count({ where: { status: { in: ["pending", "in_progress"] }, updatedAt: { lt: stuckBefore } } }),
  ]);
  const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
  return {
    tasks,
    stuckBefore,
    tiles: [
      { label: "running", value: count("pending") + count("in_progress"), filter: "active" as const },
      { label: `stuck (> ${STUCK_MINUTES} min)`, value: stuck, filter: "stuck" as const },
      { label: "failed", value: count("failed"), filter: "failed" as const },
      { label: "completed", value: count("completed"), filter: "completed" as const },
    ],
  };
}
