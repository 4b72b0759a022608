import { bearerApi } from "@/lib/api/handler";
import { getTask } from "@/lib/tasks/get-task";

export const dynamic = "force-dynamic";

/** GET /api/v1/tasks/{task_id}: a task with its steps (PVE UPIDs) and log lines. `?logs_after=<id>` pages the log. */
export const GET = bearerApi<{ taskId: string }>(async ({ req, user, params }) => {
  const after = new URL(req.url).searchParams.get("logs_after");
  return { data: await getTask(user, params.taskId, { logsAfter: after && /^\d+$/.test(after) ? BigInt(after) : undefined }) };
});
