import { bearerApi } from "@/lib/api/handler";
import { getQuotaRequest } from "@/lib/quota-requests";

export const dynamic = "force-dynamic";

/** GET /api/v1/quota-requests/{id}: one request, its requester's or any admin's (others: 404). */
export const GET = bearerApi<{ requestId: string }>(async ({ user, params }) => ({ data: await getQuotaRequest(user, params.requestId) }));
