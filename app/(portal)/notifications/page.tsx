import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { NotificationList } from "@/components/notifications/notification-list";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { listNotifications } from "@/lib/notifications/notify";
import { listQuerySchema } from "@/lib/notifications/schemas";

export const metadata: Metadata = { title: "Notifications" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function NotificationsPage({ searchParams }: { searchParams: Search }) {
  const user = await requireUser();
  const sp = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = listQuerySchema.safeParse({ unread: one(sp.unread), cursor: one(sp.cursor), limit: "50" });
  if (!parsed.success) notFound();
  let page;
  try {
    page = await listNotifications(user.id, parsed.data);
  } catch (error) {
    if (isAppError(error)) notFound(); // a cursor that is not one of ours
    throw error;
  }
  return (
    <>
      <PageHeader title="Notifications" description="What Hangar told you: finished and failed tasks, interrupted VMs and quota limits, newest first." />
      <NotificationList
        notifications={page.notifications}
        unreadCount={page.unread_count}
        unreadOnly={parsed.data.unread}
        nextCursor={page.next_cursor}
        firstPage={!parsed.data.cursor}
      />
    </>
  );
}
