"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

/** The query the bell polls; invalidate it after marking notifications read. */
export const UNREAD_QUERY_KEY = ["notifications", "unread-count"] as const;

/** How often the bell asks for the unread count (ms). */
const POLL_MS = 15_000;

async function fetchUnreadCount(): Promise<number> {
  const res = await fetch("/api/v1/notifications?unread=true&limit=1", { credentials: "same-origin", headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`notifications: HTTP ${res.status}`);
  const body = (await res.json()) as { data?: { unread_count?: unknown } };
  return typeof body.data?.unread_count === "number" ? body.data.unread_count : 0;
}

/** A bell linking to /notifications with the number of unread notifications, polled every 15 s. */
export function NotificationBell() {
  const pathname = usePathname();
  const { data: unread = 0 } = useQuery({ queryKey: UNREAD_QUERY_KEY, queryFn: fetchUnreadCount, refetchInterval: POLL_MS, refetchOnWindowFocus: true, staleTime: 5_000 });
  const active = pathname === "/notifications";
  const label = unread === 0 ? "Notifications" : `Notifications, ${unread} unread`;
  return (
    <Link
      href="/notifications"
      aria-label={label}
      title={label}
      aria-current={active ? "page" : undefined}
      data-testid="notification-bell"
      className={cn("relative inline-flex shrink-0 items-center rounded-md p-2 transition-colors", active ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900")}
    >
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.7} className="h-5 w-5" aria-hidden>
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      {unread > 0 ? (
        <span data-testid="notification-count" className="absolute -right-0.5 -top-0.5 min-w-[1.1rem] rounded-full bg-red-600 px-1 text-center text-[0.65rem] font-semibold leading-[1.1rem] text-on-accent">
          {unread > 99 ? "99+" : unread}
        </span>
      ) : null}
    </Link>
  );
}
