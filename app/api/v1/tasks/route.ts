import { bearerApi } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { searchTasks } from "@/lib/tasks/search";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/tasks: find tasks (support and admins every task, users their own), newest first.
 * `q` (task id, VM name, user email, provider object id), `status`, `kind`, `provider`, `user`,
 * `from`, `to`, `limit`, `cursor` (next_cursor of the previous page). A repeated parameter is a 400.
 */
export const GET = bearerApi(async ({ req, user }) => {
  const params = new URL(req.url).searchParams;
  const input: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in input) throw new AppError("bad_request", `${key} may be given once`);
    input[key] = value;
  }
  return { data: await searchTasks(user, input) };
});
