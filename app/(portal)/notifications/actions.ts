"use server";

import { revalidatePath } from "next/cache";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import { zodMessage } from "@/lib/api/respond";
import { requirePermission } from "@/lib/auth/guards";
import type { EmailPreferences } from "@/lib/notifications/kinds";
import { markRead, setEmailPreferences } from "@/lib/notifications/notify";
import { emailPreferencesSchema, parseMarkRead } from "@/lib/notifications/schemas";

/** Marks the signed-in person's notifications read: `{ids: [...]}` or `{all: true}`; others' ids are ignored. */
export async function markNotificationsReadAction(input: unknown): Promise<ActionResult<{ updated: number }>> {
  const user = await requirePermission("profile.manage");
  const parsed = parseMarkRead(input);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  return actionResult(async () => {
    const result = await markRead(user.id, parsed.data);
    revalidatePath("/notifications");
    return result;
  });
}

/** Stores which kinds of notification the signed-in person gets by email (`{task_failed: true, …}`). */
export async function saveEmailPreferencesAction(input: unknown): Promise<ActionResult<EmailPreferences>> {
  const user = await requirePermission("profile.manage");
  const parsed = emailPreferencesSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  return actionResult(async () => {
    const prefs = await setEmailPreferences(user.id, parsed.data);
    revalidatePath("/profile");
    return prefs;
  });
}
