"use server";

import { revalidatePath } from "next/cache";
import { requirePermission } from "@/lib/auth/guards";
import { zodMessage } from "@/lib/api/respond";
import { sshKeySchema } from "@/lib/schemas/ssh-key";
import { addSshKey } from "@/lib/ssh-keys/manage";
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

export type SaveSshKeyActionResult = ActionResult<{ id: string; name: string; fingerprint: string }>;

/**
 * The Access step's "Save to my profile": the Profile page's check and save (lib/ssh-keys), answering
 * the saved key so the wizard can choose it at once.
 */
export async function saveSshKeyAction(input: unknown): Promise<SaveSshKeyActionResult> {
  const user = await requirePermission("profile.manage");
  const parsed = sshKeySchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  return actionResult(async () => {
    const key = await addSshKey(user.id, parsed.data);
    revalidatePath("/profile");
    return { id: key.id, name: key.name, fingerprint: key.fingerprint };
  });
}
