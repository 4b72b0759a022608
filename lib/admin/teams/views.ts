import { db } from "../../db/client";
import { notFound } from "../common";

export async function listTeams() {
  const teams = await db().team.findMany({
    orderBy: { name: "asc" },
    include: { plan: { select: { id: true, name: true } }, _count: { select: { members: true, templateGrants: true } } },
  });
  return teams.map((t) => ({ id: t.id, name: t.name, description: t.description, plan: t.plan, members: t._count.members, templates: t._count.templateGrants }));
}

export async function getTeam(id: string) {
  const team = await db().team.findUnique({
    where: { id },
    include: {
      plan: { select: { id: true, name: true } },
      members: { orderBy: { email: "asc" }, select: { id: true, email: true, name: true, role: true, disabled: true } },
    },
  });
  if (!team) throw notFound("Team");
  return { id: team.id, name: team.name, description: team.description, planId: team.planId, plan: team.plan, members: team.members };
}

/** Users who could join a team, with the team they are in now (a user is in at most one). */
export async function memberCandidates(teamId: string) {
  // `NOT: { teamId }` alone would also drop everyone without a team (SQL: NULL <> x is not true).
  const users = await db().user.findMany({ where: { OR: [{ teamId: null }, { teamId: { not: teamId } }] }, orderBy: { email: "asc" }, select: { id: true, email: true, name: true, team: { select: { name: true } } } });
  return users.map((u) => ({ id: u.id, email: u.email, name: u.name, currentTeam: u.team?.name ?? null }));
}

export async function teamOptions(): Promise<{ id: string; name: string }[]> {
  return db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}
