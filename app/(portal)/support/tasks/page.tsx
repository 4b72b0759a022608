import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TaskTable } from "@/components/tasks/task-table";
import { requirePermission } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "Task monitor" };

export default async function TaskMonitorPage() {
  await requirePermission("tasks.monitor");
  const [tasks, counts] = await Promise.all([
    db().task.findMany({ orderBy: { createdAt: "desc" }, take: 200, include: { user: { select: { email: true } } } }),
    db().task.groupBy({ by: ["status"], _count: { _all: true } }),
  ]);
  const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
  return (
    <>
      <PageHeader title="Task monitor" description="Every task of every user: state, steps, provider logs and failures." />
      <dl className="mb-6 grid grid-cols-2 gap-4 sm:grid-cols-4">
        {(["pending", "in_progress", "failed", "completed"] as const).map((s) => (
          <div key={s} className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-xs">
            <dt className="text-xs uppercase tracking-wide text-slate-500">{s.replace("_", " ")}</dt>
            <dd className="mt-1 text-2xl font-semibold text-slate-900">{count(s)}</dd>
          </div>
        ))}
      </dl>
      {tasks.length === 0 ? (
        <EmptyState title="No tasks yet" description="When users create or change VMs, their tasks appear here as they run." />
      ) : (
        <TaskTable tasks={tasks} showUser />
      )}
    </>
  );
}
