"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { cancelTaskAction, markTaskFailedAction, retryTaskAction, type TaskActionResult } from "@/app/(portal)/tasks/[taskId]/actions";
import { Button, buttonClass } from "@/components/ui/button";

type Props = {
  taskId: string;
  status: string;
  /** Pending or running without a heartbeat for the stuck time: its worker may be gone. */
  stuck: boolean;
  /** The new-VM wizard pre-filled with the failed request (a create task). */
  editHref?: string | null;
  size?: "sm" | "md";
  /** Called after an action was accepted (e.g. to refetch a list). */
  onDone?: () => void;
};

const CONFIRM: Record<string, string> = {
  cancel: "Cancel this task? A running step is stopped where the provider allows; what it made is removed.",
  "mark-failed": "Mark this task failed and release its quota? Do this only when its worker is gone.",
};

/**
 * A task's buttons (issue 12): Retry and Edit and retry for a failed task, Cancel for a pending or
 * running one, Mark failed for a stuck one. Each calls the server action (the same domain call
 * and checks as the API); the server refuses what this user may not do, with its message shown.
 */
export function TaskActions({ taskId, status, stuck, editHref, size = "md", onDone }: Props) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const act = (name: "retry" | "cancel" | "mark-failed", call: (id: string) => Promise<TaskActionResult>) => () => {
    if (CONFIRM[name] && !window.confirm(CONFIRM[name])) return;
    setError(null);
    start(async () => {
      const result = await call(taskId);
      if (!result.ok) setError(result.error);
      else {
        onDone?.();
        router.refresh();
      }
    });
  };
  const running = status === "pending" || status === "in_progress";
  if (status !== "failed" && status !== "cancelled" && !running) return null;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {status === "failed" ? (
        <Button size={size} onClick={act("retry", retryTaskAction)} disabled={pending}>
          Retry
        </Button>
      ) : null}
      {(status === "failed" || status === "cancelled") && editHref ? (
        <Link href={editHref} className={buttonClass("secondary", size)}>
          Edit and retry
        </Link>
      ) : null}
      {running ? (
        <Button size={size} variant="secondary" onClick={act("cancel", cancelTaskAction)} disabled={pending}>
          Cancel
        </Button>
      ) : null}
      {running && stuck ? (
        <Button size={size} variant="danger" onClick={act("mark-failed", markTaskFailedAction)} disabled={pending}>
          Mark failed
        </Button>
      ) : null}
      {error ? (
        <span role="alert" className="text-sm text-red-700">
          {error}
        </span>
      ) : null}
    </div>
  );
}
