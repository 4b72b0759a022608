import { db } from "../../db/client";
import type { TeamForm } from "../../schemas/admin";
import { audit, fieldError, isUniqueViolation, notFound, TX_OPTIONS, type AdminActor, type Tx } from "../common";

async function snapshot(tx: Tx, id: string) {
  const t = await tx.team.findUniqueOrThrow({ where: { id }, include: { plan: { select: { name: true } } } });
  const { plan, ...rest } = t;
  return { ...rest, plan: plan?.name ?? null };
}

/** Creates (no `id`) or updates a team: name, description, plan (shared by its members). Audited. */
export async function saveTeam(input: TeamForm, actor: AdminActor): Promise<{ id: string }> {
  try {
    return await db().$transaction(async (tx) => {
      const existing = input.id ? await tx.team.findUnique({ where: { id: input.id }, select: { id: true } }) : null;
      if (input.id && !existing) throw notFound("Team");
      const clash = await tx.team.findUnique({ where: { name: input.name }, select: { id: true } });
      if (clash && clash.id !== input.id) throw fieldError("name", "A team with this name already exists", "conflict");
      if (input.planId && !(await tx.plan.findUnique({ where: { id: input.planId }, select: { id: true } }))) {
        throw fieldError("planId", "This plan no longer exists: reload the page");
      }
      const data = { name: input.name, description: input.description, planId: input.planId };
      const before = existing ? await snapshot(tx, existing.id) : undefined;
      const team = existing ? await tx.team.update({ where: { id: existing.id }, data }) : await tx.team.create({ data });
      await audit(tx, actor, existing ? "team.update" : "team.create", "team", team.id, before, await snapshot(tx, team.id));
      return { id: team.id };
    }, TX_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldError("name", "A team with this name already exists", "conflict");
    throw error;
  }
}
