import "server-only";
import { headers } from "next/headers";
import type { ZodError } from "zod";
import type { AdminActor } from "@/lib/admin/common";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { requirePermission } from "@/lib/auth/guards";
import { actionResult, invalidResult, type ActionResult } from "@/lib/api/action-result";

/**
 * The admin console's server actions share these steps: require "admin.manage" (others get a
 * 404), validate with the form's own zod schema, make one lib/admin call, and answer
 * `{ok: true, data}` or `{ok: false, error, fieldErrors?}` for the form to show.
 */
export async function adminActor(): Promise<AdminActor> {
  const user = await requirePermission("admin.manage");
  const ip = (await headers()).get(CLIENT_IP_HEADER);
  return { id: user.id, email: user.email, ip };
}

export function invalid(error: ZodError): ActionResult<never> {
  return invalidResult(error);
}

/** Runs the lib call through the portal's one error-to-result helper (lib/api/action-result.ts). */
export async function attempt<T>(run: () => Promise<T>): Promise<ActionResult<T>> {
  return actionResult(run);
}
