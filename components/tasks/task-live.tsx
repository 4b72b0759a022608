"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { LongId } from "@/components/ui/table";
import { Time, useDisplayZone } from "@/components/ui/time";
import { formatExact } from "@/lib/ui/time";
import type { TaskView } from "@/lib/tasks/get-task";
import { ACTION_LABELS, actionOfKind } from "@/lib/vms/action-rules";
import { collapseLog } from "./collapse-log";
import { TaskActions } from "./task-actions";

const tones: Record<string, BadgeTone> = { pending: "gray", in_progress: "blue", completed: "green", failed: "red", cancelled: "yellow", skipped: "gray" };
const terminal = new Set(["completed", "failed", "cancelled"]);

async function fetchTask(id: string): Promise<TaskView> {
  const res = await fetch(`/api/v1/tasks/${encodeURIComponent(id)}`, { cache: "no-store" });
  const body = (await res.json()) as { code: number; message: string; data: TaskView };
  if (!res.ok) throw new Error(body.message);
  return body.data;
}

/** One log line as shown: its time (the portal's exact form with seconds, lib/ui/time.ts), its words, and for staff the provider's own. */
function logText(l: TaskView["logs"][number], timeZone: string | undefined): string {
  return `${formatExact(new Date(l.at), { seconds: true, timeZone })}  ${l.line}${l.detail ? `  [provider: ${l.detail}]` : ""}`;
}

/** What a completed task of each kind says about its VM. */
function outcome(task: TaskView): string | null {
  const vm = task.vm;
  if (!vm) return null;
  switch (actionOfKind(task.kind)) {
    case "create":
    case "start":
      return `${vm.name} is running${vm.ip_address ? ` at ${vm.ip_address}` : ""}`;
    case "reboot":
      return `${vm.name} was rebooted and is running`;
    case "stop":
    case "shutdown":
      return `${vm.name} is stopped`;
    case "resize":
      return `${vm.name} was resized`;
    case "delete":
      return `${vm.name} was deleted`;
    default:
      return null;
  }
}

/**
 * A task filling in live: polls the task API every second until the task ends. When it
 * completes, the page moves on (unless `goToVm` is false): to the VM's page, or to My VMs
 * after a delete, since the VM's page is then gone.
 */
export function TaskLive({ initial, goToVm = true, editHref = null }: { initial: TaskView; goToVm?: boolean; editHref?: string | null }) {
  const router = useRouter();
  const zone = useDisplayZone();
  const { data: task, error, refetch } = useQuery({
    queryKey: ["task", initial.task_id],
    queryFn: () => fetchTask(initial.task_id),
    initialData: initial,
    // Slower once it ended: support may retry it from another window.
    refetchInterval: (q) => (q.state.data && terminal.has(q.state.data.status) ? 10_000 : 1000),
  });
  const action = actionOfKind(task.kind);
  const vmPage = task.vm ? `/vms/${task.vm.id}` : null;
  const next = action === "delete" ? "/vms" : vmPage;
  useEffect(() => {
    if (goToVm && task.status === "completed" && next && initial.status !== "completed") {
      const t = setTimeout(() => router.push(next), 1500);
      return () => clearTimeout(t);
    }
  }, [goToVm, task.status, next, initial.status, router]);
  const done = task.status === "completed" ? outcome(task) : null;

  return (
    <div className="space-y-6">
      {error ? <Alert tone="warning">Lost contact with the server: {(error as Error).message}. Retrying…</Alert> : null}
      {task.status === "failed" || task.status === "cancelled" ? (
        <Alert tone={task.status === "failed" ? "error" : "warning"} title={task.status === "failed" ? "The task failed" : "The task was cancelled"}>
          {task.error}
          {/* Only support and admins receive the provider's details (lib/tasks/get-task.ts). */}
          {task.error_detail ? <span className="mt-1 block whitespace-pre-wrap break-words font-mono text-xs">Provider: {task.error_detail}</span> : null}
        </Alert>
      ) : null}
      {task.stuck ? <Alert tone="warning" title="No heartbeat from its worker">The worker running this task has not reported for a while; it may be gone. Cancel it, or mark it failed to release its quota.</Alert> : null}
      {task.cancel_requested && !terminal.has(task.status) ? <Alert tone="warning">A cancel was asked: the running step is being stopped.</Alert> : null}
      <TaskActions taskId={task.task_id} status={task.status} stuck={task.stuck} editHref={editHref} onDone={() => void refetch()} />
      {done ? (
        <Alert tone="success" title={done}>
          {action === "delete" ? (
            <Link href="/vms" className="underline">
              Back to My VMs
            </Link>
          ) : (
            <Link href={vmPage!} className="underline">
              Open the VM
            </Link>
          )}
        </Alert>
      ) : null}
      {task.status === "failed" && task.vm && action && action !== "create" && task.vm.status !== "deleted" ? (
        <p className="text-sm">
          <Link href={vmPage!} className="text-indigo-700 underline">
            Back to {task.vm.name}
          </Link>
        </p>
      ) : null}
      <Card>
        <CardHeader
          title={task.vm && action ? `${action === "create" ? "Create" : ACTION_LABELS[action]} ${task.vm.name}` : task.kind}
          description={<LongId>{task.task_id}</LongId>}
          actions={<Badge tone={tones[task.status] ?? "gray"}>{task.status.replace("_", " ")}</Badge>}
        />
        <CardBody>
          <div className="mb-4 h-2 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuenow={task.progress} aria-valuemin={0} aria-valuemax={100} aria-label="Progress">
            <div className={task.status === "failed" ? "h-full bg-red-500" : "h-full bg-indigo-500 transition-all"} style={{ width: `${task.progress}%` }} />
          </div>
          <ol className="space-y-2" aria-label="Steps">
            {task.steps.map((s) => (
              <li key={s.position} className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm" data-status={s.status}>
                <div className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1">
                  <Badge tone={tones[s.status] ?? "gray"}>{s.status.replace("_", " ")}</Badge>
                  <span className="font-medium text-slate-900">{s.name}</span>
                  {s.error ? (
                    <span className="text-red-700" title={s.error_detail ?? undefined}>
                      {s.error}
                    </span>
                  ) : null}
                </div>
                <div className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-500">
                  {s.provider_task_id ? <LongId title="The provider's task id">{s.provider_task_id}</LongId> : null}
                  {s.finished_at ?? s.started_at ? <Time value={(s.finished_at ?? s.started_at)!} seconds /> : null}
                </div>
              </li>
            ))}
          </ol>
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Log" description="The provider's own task log lines, as they arrive." />
        {/* Focusable so that keyboard users can scroll it (arrow keys, Page Up/Down). */}
        <div
          tabIndex={0}
          role="log"
          aria-label="Task log"
          className="max-h-96 overflow-auto px-5 py-4 font-mono text-xs leading-relaxed text-slate-700 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600"
        >
          {task.logs.length
            ? collapseLog(task.logs, (l) => l.line).map((g) =>
                g.kind === "line" ? (
                  <div key={g.line.id} className="whitespace-pre-wrap break-words">
                    {logText(g.line, zone)}
                  </div>
                ) : (
                  <details key={g.first.id}>
                    <summary className="cursor-pointer whitespace-pre-wrap break-words text-indigo-800">
                      {logText(g.last, zone)} <span className="text-slate-500">({g.lines.length} progress lines)</span>
                    </summary>
                    <div className="border-l-2 border-slate-200 pl-3">
                      {g.lines.map((l) => (
                        <div key={l.id}>{logText(l, zone)}</div>
                      ))}
                    </div>
                  </details>
                ),
              )
            : "Nothing logged yet."}
        </div>
      </Card>
      {terminal.has(task.status) ? (
        <Link href="/vms" className={buttonClass("secondary")}>
          Back to My VMs
        </Link>
      ) : null}
    </div>
  );
}
