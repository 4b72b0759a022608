import { bearerApi } from "@/lib/api/handler";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { markTaskFailed } from "@/lib/tasks/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/tasks/{task_id}/mark-failed: mark failed a pending or running task whose worker is gone (no heartbeat for HANGAR_STUCK_MINUTES) and release its quota. Support and admins, or the task's owner; answers the task. */
export const POST = bearerApi<{ taskId: string }>(async ({ req, user, params }) => ({
  message: "Task marked failed",
  data: await markTaskFailed(user, params.taskId, { ip: req.headers.get(CLIENT_IP_HEADER) }),
}));
