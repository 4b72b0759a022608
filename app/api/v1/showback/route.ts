import { bearerApi } from "@/lib/api/handler";
import { showbackCsv } from "@/lib/vms/showback";

export const dynamic = "force-dynamic";

/** GET /api/v1/showback?month=YYYY-MM&user=…|team=…: a month's cost of a user's or a team's GPU rentals as CSV (support and admins). */
export const GET = bearerApi(async ({ req }) => {
  const q = new URL(req.url).searchParams;
  const { filename, csv } = await showbackCsv({ month: q.get("month") ?? undefined, user: q.get("user") ?? undefined, team: q.get("team") ?? undefined });
  return new Response(csv, { status: 200, headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" } });
}, "tasks.monitor");
