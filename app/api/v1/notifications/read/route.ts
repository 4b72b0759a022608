import { bearerApi } from "@/lib/api/handler";
import { readJson, zodMessage } from "@/lib/api/respond";
import { AppError } from "@/lib/errors";
import { markRead } from "@/lib/notifications/notify";
import { parseMarkRead } from "@/lib/notifications/schemas";

export const dynamic = "force-dynamic";

/** POST /api/v1/notifications/read `{ids: [...]}` or `{all: true}` → `{updated}` (ids not yours are ignored). */
export const POST = bearerApi(async ({ req, user }) => {
  const parsed = parseMarkRead(await readJson(req));
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  return { message: "Notifications marked read", data: await markRead(user.id, parsed.data) };
}, "profile.manage");
