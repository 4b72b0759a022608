import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { cn } from "@/components/ui/cn";
import { FilterForm, FilterInput, FilterSelect } from "@/components/ui/filter-form";
import { PageHeader } from "@/components/ui/page-header";
import { TaskMonitorList } from "@/components/tasks/task-monitor";
import { requirePermission } from "@/lib/auth/guards";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { COUNT_CAP, searchTasks, STATUS_FILTERS, taskCounts, type TaskPage } from "@/lib/tasks/search";
import { vmTaskKinds } from "@/lib/vms/task-kinds";

export const metadata: Metadata = { title: "Task monitor" };

const FIELDS = ["q", "status", "kind", "provider", "user", "from", "to", "cursor"] as const;
const STATUS_LABELS: Record<(typeof STATUS_FILTERS)[number], string> = {
  pending: "Pending",
  in_progress: "In progress",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
  active: "Running (pending or in progress)",
  stuck: "Stuck (no heartbeat)",
};

/**
 * Support's task monitor (issue 12): counts by state, a search over every task (task id, VM
 * name, email, provider object id) with filters and keyset pages, refreshed every 5 s, and each
 * task's buttons (retry, cancel, mark failed).
 */
export default async function TaskMonitorPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePermission("tasks.monitor");
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const key of FIELDS) {
    const value = raw[key];
    const one = Array.isArray(value) ? value[0] : value;
    if (one) params.set(key, one);
  }
  const query = params.toString();
  let page: TaskPage = { tasks: [], next_cursor: null };
  let problem: string | null = null;
  try {
    page = await searchTasks(user, Object.fromEntries(params));
  } catch (error) {
    if (!isAppError(error) || error.code !== "bad_request") throw error;
    problem = error.message;
  }
  const [counts, providers] = await Promise.all([taskCounts(), db().providerConnection.findMany({ select: { name: true }, orderBy: { name: "asc" } })]);
  const tiles = [
    { label: "running", value: counts.active, capped: counts.capped.active, status: "active" },
    { label: `stuck (no heartbeat for ${env().HANGAR_STUCK_MINUTES} min)`, value: counts.stuck, capped: counts.capped.stuck, status: "stuck" },
    { label: "failed", value: counts.failed, capped: counts.capped.failed, status: "failed" },
    { label: "completed", value: counts.completed, capped: counts.capped.completed, status: "completed" },
  ];
  const current = params.get("status");
  return (
    <>
      <PageHeader title="Task monitor" description="Every task of every user. Search by task id, VM name, email or provider object id; open a task for its steps and the provider's log." />
      <ul aria-label="Counts" className="mb-6 grid grid-cols-2 gap-4 sm:grid-cols-4">
        {tiles.map((t) => (
          <li key={t.status}>
            <Link
              href={`/support/tasks?status=${t.status}`}
              className={cn("block h-full rounded-lg border bg-white px-4 py-3 shadow-xs hover:border-indigo-300", current === t.status ? "border-indigo-500 ring-1 ring-indigo-500" : "border-slate-200")}
            >
              <span className="block text-xs uppercase tracking-wide text-slate-500">{t.label}</span>
              <span className={cn("mt-1 block text-2xl font-semibold", t.status === "stuck" && t.value > 0 ? "text-amber-700" : t.status === "failed" && t.value > 0 ? "text-red-700" : "text-slate-900")}>
                {t.value.toLocaleString("en")}
                {t.capped ? "+" : ""}
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <FilterForm action="/support/tasks" label="Find tasks" columns={4} clearHref="/support/tasks" note={`Counts stop at ${COUNT_CAP.toLocaleString("en")}.`}>
        <FilterInput label="Search" name="q" value={params.get("q")} placeholder="task id, VM name, email, provider object id" wide />
        <FilterSelect label="State" name="status" value={current} options={STATUS_FILTERS.map((s) => ({ value: s, label: STATUS_LABELS[s] }))} />
        <FilterSelect label="Kind" name="kind" value={params.get("kind")} options={Object.keys(vmTaskKinds).map((k) => ({ value: k, label: k }))} />
        <FilterSelect label="Provider" name="provider" value={params.get("provider")} options={providers.map((p) => ({ value: p.name, label: p.name }))} />
        <FilterInput label="User (email)" name="user" value={params.get("user")} />
        <FilterInput label="Created from" name="from" value={params.get("from")} type="date" />
        <FilterInput label="Created to" name="to" value={params.get("to")} type="date" />
      </FilterForm>
      {problem ? <Alert tone="error">{problem}</Alert> : <TaskMonitorList query={query} initial={page} userPage={can(user.role, "admin.manage")} />}
    </>
  );
}
