import { bearerApi } from "@/lib/api/handler";
import { zodMessage } from "@/lib/api/respond";
import { AppError } from "@/lib/errors";
import { listNotifications } from "@/lib/notifications/notify";
import { listQuerySchema } from "@/lib/notifications/schemas";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/notifications?unread=true&limit=20&cursor=…: the caller's notifications, newest
 * first, with `next_cursor` (null on the last page) and `unread_count`. Bearer token, or the
 * browser's session cookie (reads only): the bell polls this.
 */
export const GET = bearerApi(async ({ req, user }) => {
  const params = new URL(req.url).searchParams;
  const parsed = listQuerySchema.safeParse({ unread: params.get("unread") ?? undefined, limit: params.get("limit") ?? undefined, cursor: params.get("cursor") ?? undefined });
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  return { data: await listNotifications(user.id, parsed.data) };
}, "profile.manage");
