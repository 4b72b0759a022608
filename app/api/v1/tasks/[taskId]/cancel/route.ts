import { bearerApi } from "@/lib/api/handler";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { cancelTask } from "@/lib/tasks/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/tasks/{task_id}/cancel: cancel a pending or running task (the running step is stopped where the provider allows; quota released, half-made objects removed). Support and admins, or the task's owner; answers the task. */
export const POST = bearerApi<{ taskId: string }>(async ({ req, user, params }) => ({
  message: "Task cancelled",
  data: await cancelTask(user, params.taskId, { ip: req.headers.get(CLIENT_IP_HEADER) }),
}));
