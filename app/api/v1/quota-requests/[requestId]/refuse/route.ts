import { bearerApi } from "@/lib/api/handler";
import { readJson } from "@/lib/api/respond";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { refuseQuotaRequest } from "@/lib/quota-requests";

export const dynamic = "force-dynamic";

/** POST /api/v1/quota-requests/{id}/refuse `{reason}`: admins only, never their own request. */
export const POST = bearerApi<{ requestId: string }>(async ({ req, user, params }) => ({
  message: "Request refused",
  data: await refuseQuotaRequest({ ...user, ip: req.headers.get(CLIENT_IP_HEADER) }, params.requestId, await readJson(req)),
}), "admin.manage");
