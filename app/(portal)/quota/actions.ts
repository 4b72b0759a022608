"use server";

import { headers } from "next/headers";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { requirePermission } from "@/lib/auth/guards";
import { createQuotaRequest } from "@/lib/quota-requests";
import type { QuotaRequestView } from "@/lib/quota-requests/schemas";

export type RequestMoreResult = ActionResult<QuotaRequestView>;

/** "Request more" from a denial (wizard, resize): the same call as POST /api/v1/quota-requests. */
export async function requestMoreAction(input: unknown): Promise<RequestMoreResult> {
  const user = await requirePermission("vms.own");
  const ip = (await headers()).get(CLIENT_IP_HEADER);
  return actionResult(() => createQuotaRequest(user, input, { ip }));
}
