import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { cn } from "@/components/ui/cn";
import { TaskTable } from "@/components/tasks/task-table";
import { requirePermission } from "@/lib/auth/guards";
import { parseTaskFilter, TASK_FILTERS as FILTERS, taskMonitor, type TaskFilter as Filter } from "@/lib/tasks/monitor";

export const metadata: Metadata = { title: "Task monitor" };

export default async function TaskMonitorPage({ searchParams }: { searchParams: Promise<{ status?: string }> }) {
  await requirePermission("tasks.monitor");
  const params = await searchParams;
  const filter = parseTaskFilter(params.status);
  const { tasks, tiles, stuckBefore } = await taskMonitor(filter);
  return (
    <>
      <PageHeader title="Task monitor" description="Every task of every user: state, steps, provider logs and failures. Open a task for its steps and the provider's log." />
      <ul aria-label="Counts" className="mb-6 grid grid-cols-2 gap-4 sm:grid-cols-4">
        {tiles.map(({ label, value, filter: f }) => (
          <li key={label}>
            <Link
              href={`/support/tasks?status=${f}`}
              className={cn("block h-full rounded-lg border bg-white px-4 py-3 shadow-xs hover:border-indigo-300", filter === f ? "border-indigo-500 ring-1 ring-indigo-500" : "border-slate-200")}
            >
              <span className="block text-xs uppercase tracking-wide text-slate-500">{label}</span>
              <span className={cn("mt-1 block text-2xl font-semibold", f === "stuck" && value > 0 ? "text-amber-700" : f === "failed" && value > 0 ? "text-red-700" : "text-slate-900")}>{value}</span>
            </Link>
          </li>
        ))}
      </ul>
      <nav aria-label="Filter tasks" className="mb-4 flex flex-wrap gap-2 text-sm">
        {(Object.keys(FILTERS) as Filter[]).map((f) => (
          <Link
            key={f}
            href={f === "all" ? "/support/tasks" : `/support/tasks?status=${f}`}
            aria-current={filter === f ? "page" : undefined}
            className={cn("rounded-md px-3 py-1.5", filter === f ? "bg-indigo-50 font-medium text-indigo-700" : "text-slate-600 hover:bg-slate-100")}
          >
            {FILTERS[f].label}
          </Link>
        ))}
      </nav>
      {tasks.length === 0 ? (
        <EmptyState title="No tasks here" description={filter === "all" ? "When users create or change VMs, their tasks appear here as they run." : "Nothing matches this filter right now."} />
      ) : (
        <TaskTable tasks={tasks} showUser showError stuckBefore={stuckBefore} />
      )}
    </>
  );
}
