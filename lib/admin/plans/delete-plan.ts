import { db } from "../../db/client";
import { AppError } from "../../errors";
import { audit, lock, notFound, TX_OPTIONS, type AdminActor } from "../common";

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** Deletes a plan nobody uses (no user, no team) that is not the default, audited. */
export async function deletePlan(id: string, actor: AdminActor): Promise<void> {
  await db().$transaction(async (tx) => {
    await lock(tx, "default-plan");
    const plan = await tx.plan.findUnique({ where: { id } });
    if (!plan) throw notFound("Plan");
    if (plan.isDefault) throw new AppError("conflict", `Plan "${plan.name}" is the default plan for new users: make another plan the default first`);
    // Lock the plan's row: assigning someone to it (a foreign key check) now waits for this transaction.
    await tx.$executeRaw`SELECT 1 FROM "Plan" WHERE "id" = ${id} FOR UPDATE`;
    const [users, teams] = await Promise.all([tx.user.count({ where: { planId: id } }), tx.team.count({ where: { planId: id } })]);
    if (users + teams > 0) {
      const who = [users ? count(users, "user") : "", teams ? count(teams, "team") : ""].filter(Boolean).join(" and ");
      throw new AppError("conflict", `Plan "${plan.name}" is still used by ${who}: assign them another plan first`);
    }
    await tx.plan.delete({ where: { id } });
    await audit(tx, actor, "plan.delete", "plan", id, plan, undefined);
  }, TX_OPTIONS);
}
