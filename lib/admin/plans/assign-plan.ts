import { db } from "../../db/client";
import { audit, fieldError, notFound, TX_OPTIONS, type AdminActor } from "../common";

/** Puts users and teams on a plan (moving them from their current one), each change audited. */
export async function assignPlan(input: { planId: string; userIds: string[]; teamIds: string[] }, actor: AdminActor): Promise<{ users: number; teams: number }> {
  return db().$transaction(async (tx) => {
    const plan = await tx.plan.findUnique({ where: { id: input.planId } });
    if (!plan) throw notFound("Plan");
    const users = await tx.user.findMany({ where: { id: { in: input.userIds } }, include: { plan: { select: { name: true } } } });
    const teams = await tx.team.findMany({ where: { id: { in: input.teamIds } }, include: { plan: { select: { name: true } } } });
    if (users.length !== new Set(input.userIds).size) throw fieldError("userIds", "One of these users no longer exists: reload the page");
    if (teams.length !== new Set(input.teamIds).size) throw fieldError("teamIds", "One of these teams no longer exists: reload the page");
    let moved = { users: 0, teams: 0 };
    for (const u of users.filter((u) => u.planId !== plan.id)) {
      await tx.user.update({ where: { id: u.id }, data: { planId: plan.id } });
      await audit(tx, actor, "user.update", "user", u.id, { email: u.email, plan: u.plan?.name ?? null }, { email: u.email, plan: plan.name });
      moved = { ...moved, users: moved.users + 1 };
    }
    for (const t of teams.filter((t) => t.planId !== plan.id)) {
      await tx.team.update({ where: { id: t.id }, data: { planId: plan.id } });
      await audit(tx, actor, "team.update", "team", t.id, { name: t.name, plan: t.plan?.name ?? null }, { name: t.name, plan: plan.name });
      moved = { ...moved, teams: moved.teams + 1 };
    }
    return moved;
  }, TX_OPTIONS);
}
