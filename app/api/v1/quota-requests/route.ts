import { bearerApi } from "@/lib/api/handler";
import { idempotent } from "@/lib/api/idempotency";
import { readJson, zodMessage } from "@/lib/api/respond";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { AppError } from "@/lib/errors";
import { createQuotaRequest, listQuotaRequests } from "@/lib/quota-requests";
import { listQuotaRequestsQuerySchema } from "@/lib/quota-requests/schemas";

export const dynamic = "force-dynamic";

/** GET /api/v1/quota-requests?status=pending&all=true: the caller's requests (admins with all=true: everyone's) and the pending count. */
export const GET = bearerApi(async ({ req, user }) => {
  const params = new URL(req.url).searchParams;
  const parsed = listQuotaRequestsQuerySchema.safeParse({ status: params.get("status") ?? undefined, all: params.get("all") ?? undefined });
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  return { data: await listQuotaRequests(user, parsed.data) };
});

/** POST /api/v1/quota-requests `{items: [{scope?, limit, amount}], reason, days?}` → the request (pending). */
export const POST = bearerApi(
  idempotent(async ({ req, user }) => ({
    message: "Request sent: an administrator will decide",
    data: await createQuotaRequest(user, await readJson(req), { ip: req.headers.get(CLIENT_IP_HEADER) }),
  })),
);
