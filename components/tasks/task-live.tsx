"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import type { TaskView } from "@/lib/tasks/get-task";

const tones: Record<string, BadgeTone> = { pending: "gray", in_progress: "blue", completed: "green", failed: "red", cancelled: "yellow", skipped: "gray" };
const terminal = new Set(["completed", "failed", "cancelled"]);

async function fetchTask(id: string): Promise<TaskView> {
  const res = await fetch(`/api/v1/tasks/${encodeURIComponent(id)}`, { cache: "no-store" });
  const body = (await res.json()) as { code: number; message: string; data: TaskView };
  if (!res.ok) throw new Error(body.message);
  return body.data;
}

function time(iso: string | null): string {
  return iso ? new Date(iso).toLocaleTimeString() : "";
}

/** A task filling in live: polls the task API every second until the task ends. */
export function TaskLive({ initial, goToVm = true }: { initial: TaskView; goToVm?: boolean }) {
  const router = useRouter();
  const { data: task, error } = useQuery({
    queryKey: ["task", initial.task_id],
    queryFn: () => fetchTask(initial.task_id),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && terminal.has(q.state.data.status) ? false : 1000),
  });
  const vmPage = task.vm ? `/vms/${task.vm.id}` : null;
  useEffect(() => {
    if (goToVm && task.status === "completed" && vmPage && initial.status !== "completed") {
      const t = setTimeout(() => router.push(vmPage), 1500);
      return () => clearTimeout(t);
    }
  }, [goToVm, task.status, vmPage, initial.status, router]);

  return (
    <div className="space-y-6">
      {error ? <Alert tone="warning">Lost contact with the server: {(error as Error).message}. Retrying…</Alert> : null}
      {task.status === "failed" ? (
        <Alert tone="error" title="The task failed">
          {task.error}
        </Alert>
      ) : null}
      {task.status === "completed" && task.vm ? (
        <Alert tone="success" title={`${task.vm.name} is running${task.vm.ip_address ? ` at ${task.vm.ip_address}` : ""}`}>
          <Link href={vmPage!} className="underline">
            Open the VM
          </Link>
        </Alert>
      ) : null}
      <Card>
        <CardHeader
          title={task.vm ? `Create ${task.vm.name}` : task.kind}
          description={<span className="font-mono text-xs">{task.task_id}</span>}
          actions={<Badge tone={tones[task.status] ?? "gray"}>{task.status.replace("_", " ")}</Badge>}
        />
        <CardBody>
          <div className="mb-4 h-2 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuenow={task.progress} aria-valuemin={0} aria-valuemax={100} aria-label="Progress">
            <div className={task.status === "failed" ? "h-full bg-red-500" : "h-full bg-indigo-500 transition-all"} style={{ width: `${task.progress}%` }} />
          </div>
          <ol className="space-y-2" aria-label="Steps">
            {task.steps.map((s) => (
              <li key={s.position} className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-100 px-3 py-2 text-sm" data-status={s.status}>
                <div className="flex items-center gap-3">
                  <Badge tone={tones[s.status] ?? "gray"}>{s.status.replace("_", " ")}</Badge>
                  <span className="font-medium text-slate-900">{s.name}</span>
                  {s.error ? <span className="text-red-600">{s.error}</span> : null}
                </div>
                <div className="flex items-center gap-3 text-xs text-slate-500">
                  {s.upid ? <span className="font-mono" title="Proxmox task id (UPID)">{s.upid}</span> : null}
                  <span>{time(s.finished_at ?? s.started_at)}</span>
                </div>
              </li>
            ))}
          </ol>
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Log" description="The provider's own task log lines, as they arrive." />
        <pre className="max-h-96 overflow-auto whitespace-pre-wrap px-5 py-4 font-mono text-xs leading-relaxed text-slate-700" aria-label="Task log">
          {task.logs.length ? task.logs.map((l) => `${time(l.at)}  ${l.line}`).join("\n") : "Nothing logged yet."}
        </pre>
      </Card>
      {terminal.has(task.status) ? (
        <Link href="/vms" className={buttonClass("secondary")}>
          Back to My VMs
        </Link>
      ) : null}
    </div>
  );
}
