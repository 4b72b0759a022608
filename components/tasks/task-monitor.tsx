"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import type { TaskPage, TaskRow } from "@/lib/tasks/search";
import { TaskActions } from "./task-actions";

const tones: Record<string, BadgeTone> = { pending: "gray", in_progress: "blue", completed: "green", failed: "red", cancelled: "yellow" };

async function fetchPage(query: string): Promise<TaskPage> {
  const res = await fetch(`/api/v1/tasks?${query}`, { cache: "no-store" });
  const body = (await res.json()) as { message: string; data: TaskPage };
  if (!res.ok) throw new Error(body.message);
  return body.data;
}

/** 75 → "1 min 15 s". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** "updated N s ago", ticking every second. */
function UpdatedAgo({ at }: { at: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return <span aria-live="off">updated {Math.max(0, Math.round((now - at) / 1000))} s ago</span>;
}

function ErrorCell({ task }: { task: TaskRow }) {
  if (!task.error && !task.error_detail) return null;
  return (
    <details className="max-w-md">
      <summary className="cursor-pointer truncate text-red-700" title="Show the provider's error in full">
        {task.error ?? task.error_detail}
      </summary>
      <div className="mt-1 space-y-1 whitespace-pre-wrap break-words text-xs">
        {task.error ? <p>{task.error}</p> : null}
        {task.error_detail ? (
          <p className="font-mono text-slate-700">
            <span className="font-sans font-semibold">Provider says: </span>
            {task.error_detail}
          </p>
        ) : null}
      </div>
    </details>
  );
}

/**
 * The monitor's task list (issue 12): the page's search, polled every 5 s through
 * GET /api/v1/tasks (TanStack Query), with "updated N s ago". Rows name the VM and its owner
 * (links), the kind, state, duration, the error in full on demand, and the task's buttons.
 * `userHref`: where an owner's name leads (an admin: the user's page; support: their tasks).
 */
export function TaskMonitorList({ query, initial, userPage }: { query: string; initial: TaskPage; userPage: boolean }) {
  const { data, error, dataUpdatedAt, refetch } = useQuery({
    queryKey: ["tasks", query],
    queryFn: () => fetchPage(query),
    initialData: initial,
    refetchInterval: 5000,
  });
  const params = new URLSearchParams(query);
  params.delete("cursor");
  const older = data.next_cursor ? `/support/tasks?${new URLSearchParams([...params, ["cursor", data.next_cursor]]).toString()}` : null;
  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between text-xs text-slate-500">
        <span>{data.tasks.length} tasks on this page, newest first</span>
        <UpdatedAgo at={dataUpdatedAt} />
      </div>
      {error ? <Alert tone="warning">Lost contact with the server: {(error as Error).message}. Retrying…</Alert> : null}
      {data.tasks.length === 0 ? (
        <EmptyState title="No tasks here" description="Nothing matches this search and these filters." />
      ) : (
        <Table label="Tasks">
          <thead>
            <tr>
              <Th>VM</Th>
              <Th>Owner</Th>
              <Th>Kind</Th>
              <Th>State</Th>
              <Th>Duration</Th>
              <Th>Created</Th>
              <Th>Error</Th>
              <Th>Actions</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.tasks.map((t) => (
              <tr key={t.task_id} data-task-id={t.task_id}>
                <Td>
                  {t.vm ? (
                    t.vm.deleted ? (
                      <span className="text-slate-500" title="The VM no longer exists">
                        {t.vm.name}
                      </span>
                    ) : (
                      <Link href={`/vms/${encodeURIComponent(t.vm.id)}`} className="font-medium text-indigo-700 hover:underline">
                        {t.vm.name}
                      </Link>
                    )
                  ) : (
                    <span className="text-slate-400">none</span>
                  )}
                  <Link href={`/tasks/${encodeURIComponent(t.task_id)}`} className="ml-2 font-mono text-xs text-slate-500 hover:underline" title="Open the task">
                    {t.task_id}
                  </Link>
                </Td>
                <Td>
                  <Link href={userPage ? `/admin/users/${encodeURIComponent(t.user.id)}` : `/support/tasks?user=${encodeURIComponent(t.user.email)}`} className="hover:underline">
                    {t.user.email}
                  </Link>
                </Td>
                <Td>
                  {t.kind}
                  {t.provider ? <span className="ml-1 text-xs text-slate-500">({t.provider.name})</span> : null}
                </Td>
                <Td>
                  <span className="flex gap-1">
                    <Badge tone={tones[t.status] ?? "gray"}>{t.status.replace("_", " ")}</Badge>
                    {t.stuck ? <Badge tone="yellow">stuck</Badge> : null}
                    {t.cancel_requested && (t.status === "pending" || t.status === "in_progress") ? <Badge tone="yellow">cancelling</Badge> : null}
                  </span>
                </Td>
                <Td>{duration(t.duration_seconds)}</Td>
                <Td>{t.created_at.replace("T", " ").slice(0, 19)} UTC</Td>
                <Td className="whitespace-normal">
                  <ErrorCell task={t} />
                </Td>
                <Td>
                  <TaskActions taskId={t.task_id} status={t.status} stuck={t.stuck} size="sm" onDone={() => void refetch()} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <nav aria-label="Pages" className="flex justify-between text-sm">
        {params.size !== new URLSearchParams(query).size ? (
          <Link href={`/support/tasks?${params.toString()}`} className="text-indigo-700 hover:underline">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {older ? (
          <Link href={older} className="text-indigo-700 hover:underline">
            Older →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
