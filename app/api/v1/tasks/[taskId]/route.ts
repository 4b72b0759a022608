import { bearerApi } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { getTask } from "@/lib/tasks/get-task";

export const dynamic = "force-dynamic";

const MAX_LOG_ID = 2n ** 63n - 1n;

/** `?logs_after=<id>`: absent, or a log line id (a whole number that fits PostgreSQL's bigint); anything else is a 400. */
function logsAfter(value: string | null): bigint | undefined {
  if (value === null || value === "") return undefined;
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > MAX_LOG_ID) throw new AppError("bad_request", "logs_after must be a log line id (a whole number)");
  return BigInt(value);
}

/** GET /api/v1/tasks/{task_id}: a task with its steps (with the provider's task ids) and log lines. `?logs_after=<id>` pages the log. */
export const GET = bearerApi<{ taskId: string }>(async ({ req, user, params }) => {
  const after = logsAfter(new URL(req.url).searchParams.get("logs_after"));
  return { data: await getTask(user, params.taskId, { logsAfter: after }) };
});
