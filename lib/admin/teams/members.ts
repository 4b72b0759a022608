import { db } from "../../db/client";
import { AppError } from "../../errors";
import { audit, fieldError, notFound, TX_OPTIONS, type AdminActor } from "../common";

/**
 * Adds users to a team. A user belongs to at most one team (User.teamId), so a user in
 * another team moves; the audit log records the team they left.
 */
export async function addTeamMembers(input: { teamId: string; userIds: string[] }, actor: AdminActor): Promise<{ added: number }> {
  return db().$transaction(async (tx) => {
    const team = await tx.team.findUnique({ where: { id: input.teamId } });
    if (!team) throw notFound("Team");
    const users = await tx.user.findMany({ where: { id: { in: input.userIds } }, include: { team: { select: { name: true } } } });
    if (users.length !== new Set(input.userIds).size) throw fieldError("userIds", "One of these users no longer exists: reload the page");
    let added = 0;
    for (const u of users.filter((u) => u.teamId !== team.id)) {
      await tx.user.update({ where: { id: u.id }, data: { teamId: team.id } });
      await audit(tx, actor, "user.update", "user", u.id, { email: u.email, team: u.team?.name ?? null }, { email: u.email, team: team.name });
      added += 1;
    }
    return { added };
  }, TX_OPTIONS);
}

export async function removeTeamMember(input: { teamId: string; userId: string }, actor: AdminActor): Promise<void> {
  await db().$transaction(async (tx) => {
    const team = await tx.team.findUnique({ where: { id: input.teamId } });
    if (!team) throw notFound("Team");
    const user = await tx.user.findUnique({ where: { id: input.userId } });
    if (!user) throw notFound("User");
    if (user.teamId !== team.id) throw new AppError("conflict", `${user.email} is not a member of ${team.name}`);
    await tx.user.update({ where: { id: user.id }, data: { teamId: null } });
    await audit(tx, actor, "user.update", "user", user.id, { email: user.email, team: team.name }, { email: user.email, team: null });
  }, TX_OPTIONS);
}
