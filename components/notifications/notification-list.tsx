"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button, buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { cn } from "@/components/ui/cn";
import { Time } from "@/components/ui/time";
import { markNotificationsReadAction } from "@/app/(portal)/notifications/actions";
import type { NotificationView } from "@/lib/notifications/notify";
import { UNREAD_QUERY_KEY } from "@/components/shell/notification-bell";

const KIND_LABEL: Record<string, { label: string; tone: "green" | "red" | "yellow" | "blue" | "gray" }> = {
  task_completed: { label: "Task completed", tone: "green" },
  task_failed: { label: "Task failed", tone: "red" },
  vm_interrupted: { label: "VM interrupted", tone: "yellow" },
  quota_near: { label: "Quota", tone: "yellow" },
  quota_reached: { label: "Quota", tone: "red" },
};

export function NotificationList(props: { notifications: NotificationView[]; unreadCount: number; unreadOnly: boolean; nextCursor: string | null; firstPage: boolean }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  function mark(input: { ids: string[] } | { all: true }) {
    setError(null);
    startTransition(async () => {
      const result = await markNotificationsReadAction(input);
      if (!result.ok) return setError(result.error);
      await queryClient.invalidateQueries({ queryKey: UNREAD_QUERY_KEY });
      router.refresh();
    });
  }

  const filterHref = props.unreadOnly ? "/notifications" : "/notifications?unread=true";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-600" aria-live="polite">
          {props.unreadCount === 0 ? "No unread notifications." : `${props.unreadCount} unread`}
        </p>
        <div className="flex gap-2">
          <Link href={filterHref} className={buttonClass("secondary", "sm")}>
            {props.unreadOnly ? "Show all" : "Unread only"}
          </Link>
          <Button size="sm" variant="secondary" disabled={pending || props.unreadCount === 0} onClick={() => mark({ all: true })}>
            Mark all read
          </Button>
        </div>
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}
      {props.notifications.length === 0 ? (
        <EmptyState
          title={props.unreadOnly ? "Nothing unread" : "No notifications yet"}
          description="You are told here when a task completes or fails, when a VM is interrupted, and when you near or reach a quota."
        />
      ) : (
        <Card>
          <ul className="divide-y divide-slate-100" aria-label="Notifications">
            {props.notifications.map((n) => {
              const kind = KIND_LABEL[n.kind] ?? { label: n.kind, tone: "gray" as const };
              return (
                <li key={n.id} className={cn("flex flex-wrap items-start justify-between gap-x-4 gap-y-2 px-5 py-4", !n.read && "bg-indigo-50/50")} data-read={n.read ? "true" : "false"}>
                  <div className="min-w-0 space-y-1">
                    <div className="flex flex-wrap items-center gap-2">
                      {!n.read ? (
                        <>
                          <span className="h-2 w-2 rounded-full bg-indigo-600" aria-hidden />
                          <span className="sr-only">Unread</span>
                        </>
                      ) : null}
                      <Badge tone={kind.tone}>{kind.label}</Badge>
                      <Time value={n.created_at} relative className="text-xs text-slate-500" />
                    </div>
                    <p className="font-medium text-slate-900">{n.link ? <Link href={n.link} className="hover:underline">{n.title}</Link> : n.title}</p>
                    {n.body ? <p className="whitespace-pre-line break-words text-sm text-slate-600">{n.body}</p> : null}
                  </div>
                  {/* The button's name starts with its visible words (WCAG 2.5.3), then says which notification. */}
                  {!n.read ? (
                    <Button size="sm" variant="ghost" disabled={pending} onClick={() => mark({ ids: [n.id] })} aria-label={`Mark read: ${n.title}`}>
                      Mark read
                    </Button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </Card>
      )}
      <div className="flex justify-between">
        {!props.firstPage ? (
          <Link href={props.unreadOnly ? "/notifications?unread=true" : "/notifications"} className={buttonClass("ghost", "sm")}>
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {props.nextCursor ? (
          <Link href={`/notifications?${new URLSearchParams({ ...(props.unreadOnly ? { unread: "true" } : {}), cursor: props.nextCursor })}`} className={buttonClass("secondary", "sm")}>
            Older →
          </Link>
        ) : null}
      </div>
    </div>
  );
}
