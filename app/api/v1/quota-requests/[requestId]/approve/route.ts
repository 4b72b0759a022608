import { bearerApi } from "@/lib/api/handler";
import { readJson } from "@/lib/api/respond";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { approveQuotaRequest } from "@/lib/quota-requests";

export const dynamic = "force-dynamic";

/** POST /api/v1/quota-requests/{id}/approve `{days?, note?}`: admins only, never their own request. */
export const POST = bearerApi<{ requestId: string }>(async ({ req, user, params }) => ({
  message: "Request approved",
  data: await approveQuotaRequest({ ...user, ip: req.headers.get(CLIENT_IP_HEADER) }, params.requestId, await readJson(req)),
}), "admin.manage");
