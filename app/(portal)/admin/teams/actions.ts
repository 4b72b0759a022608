"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/components/admin/action-result";
import { addTeamMembers, removeTeamMember } from "@/lib/admin/teams/members";
import { saveTeam } from "@/lib/admin/teams/save-team";
import { teamFormSchema, teamMemberSchema, teamMembersSchema } from "@/lib/schemas/admin";
import { adminActor, attempt, invalid } from "../action-result";

function refresh() {
  revalidatePath("/admin", "layout");
  revalidatePath("/vms/new");
  revalidatePath("/quota");
}

export async function saveTeamAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  const actor = await adminActor();
  const parsed = teamFormSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const saved = await saveTeam(parsed.data, actor);
    refresh();
    return saved;
  });
}

export async function addTeamMembersAction(input: unknown): Promise<ActionResult<{ added: number }>> {
  const actor = await adminActor();
  const parsed = teamMembersSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const added = await addTeamMembers(parsed.data, actor);
    refresh();
    return added;
  });
}

export async function removeTeamMemberAction(input: unknown): Promise<ActionResult> {
  const actor = await adminActor();
  const parsed = teamMemberSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    await removeTeamMember(parsed.data, actor);
    refresh();
    return undefined;
  });
}
