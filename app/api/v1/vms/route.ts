import { bearerApi } from "@/lib/api/handler";
import { ok } from "@/lib/api/respond";
import { AppError } from "@/lib/errors";
import { listVms, MAX_VM_PAGE } from "@/lib/vms/list-vms";

export const dynamic = "force-dynamic";

/** `?limit=`: absent (all VMs), or a whole number from 1 to MAX_VM_PAGE; anything else is a 400. */
function pageLimit(value: string | null): number | undefined {
  if (value === null || value === "") return undefined;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_VM_PAGE)) throw new AppError("bad_request", `limit must be a whole number from 1 to ${MAX_VM_PAGE}`);
  return n;
}

/**
 * GET /api/v1/vms: the caller's VMs, newest first. `?limit=N` answers one page; the next page's
 * address is in the `Link` header (`rel="next"`, with `cursor=`), absent on the last page.
 */
export const GET = bearerApi(async ({ req, user }) => {
  const url = new URL(req.url);
  const limit = pageLimit(url.searchParams.get("limit"));
  const cursor = url.searchParams.get("cursor") || undefined;
  const { vms, nextCursor } = await listVms(user.id, { limit, cursor });
  const response = ok(vms, "OK");
  if (nextCursor && limit) response.headers.set("Link", `</api/v1/vms?limit=${limit}&cursor=${nextCursor}>; rel="next"`);
  return response;
});
