import { bearerApi } from "@/lib/api/handler";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { retryTask } from "@/lib/tasks/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/tasks/{task_id}/retry: retry a failed task from its failed step (the steps before it stay done; what they made is reused). Support and admins, or the task's owner; answers the task. */
export const POST = bearerApi<{ taskId: string }>(async ({ req, user, params }) => ({
  message: "Task retried",
  data: await retryTask(user, params.taskId, { ip: req.headers.get(CLIENT_IP_HEADER) }),
}));
