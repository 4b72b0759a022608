import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import type { Db } from "../db/client";
import { db } from "../db/client";
import { isPlausibleId } from "../api/ids";
import { AppError } from "../errors";
import type { QuotaRequestView } from "./schemas";
import { requestInclude, toView } from "./views";

const NOT_FOUND = "Quota request not found";
/** Most requests one list answers (newest first; the pending ones oldest first). */
export const LIST_LIMIT = 200;

/**
 * Requests, newest first (pending ones: oldest first, the queue's order): the viewer's own, or
 * with `all` everyone's (admins only: others get 403). `status` filters. Also answers how many
 * are pending in that view. At most LIST_LIMIT.
 */
export async function listQuotaRequests(
  viewer: Pick<AuthenticatedUser, "id" | "role">,
  query: { status?: Db.QuotaRequestStatus; all?: boolean } = {},
): Promise<{ requests: QuotaRequestView[]; pending_count: number }> {
  if (query.all && !can(viewer.role, "admin.manage")) throw new AppError("forbidden", "Only administrators may see everyone's requests");
  const mine = query.all ? {} : { userId: viewer.id };
  const [rows, pending] = await Promise.all([
    db().quotaRequest.findMany({
      where: { ...mine, ...(query.status ? { status: query.status } : {}) },
      orderBy: query.status === "pending" ? [{ createdAt: "asc" }, { id: "asc" }] : [{ createdAt: "desc" }, { id: "desc" }],
      take: LIST_LIMIT,
      include: requestInclude,
    }),
    db().quotaRequest.count({ where: { ...mine, status: "pending" } }),
  ]);
  const now = new Date();
  return { requests: rows.map((r) => toView(r, now)), pending_count: pending };
}

/** One request: its requester's or any admin's; anyone else gets 404 (as for an unknown id). */
export async function getQuotaRequest(viewer: Pick<AuthenticatedUser, "id" | "role">, id: string): Promise<QuotaRequestView> {
  const row = isPlausibleId(id) ? await db().quotaRequest.findUnique({ where: { id }, include: requestInclude }) : null;
  if (!row || (row.userId !== viewer.id && !can(viewer.role, "admin.manage"))) throw new AppError("not_found", NOT_FOUND);
  return toView(row);
}

/** How many requests wait for an admin (the admin overview's and navigation's count). */
export function pendingQuotaRequests(): Promise<number> {
  return db().quotaRequest.count({ where: { status: "pending" } });
}

export { NOT_FOUND as QUOTA_REQUEST_NOT_FOUND };
