"use server";

import { requirePermission } from "@/lib/auth/guards";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import { createFromTemplate } from "@/lib/api/seed-create-from-template";
import { quoteGpuOrder, type GpuQuoteView } from "@/lib/vms/quote-gpu";

export type CreateVmActionResult = ActionResult<{ taskId: string }>;

/** The wizard's submit: the same call as the seed API, so the same checks and messages. */
export async function createVmAction(input: unknown): Promise<CreateVmActionResult> {
  const user = await requirePermission("vms.own");
  return actionResult(async () => ({ taskId: (await createFromTemplate(user, input)).task_id }));
}

export type QuoteGpuActionResult = ActionResult<GpuQuoteView>;

/** The wizard's price before commit of a GPU order: the same offer checks and prices as the create (nothing is written). */
export async function quoteGpuAction(input: unknown): Promise<QuoteGpuActionResult> {
  const user = await requirePermission("vms.own");
  return actionResult(() => quoteGpuOrder(user, input));
}
