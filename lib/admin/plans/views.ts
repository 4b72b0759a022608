import { db } from "../../db/client";
import type { Db } from "../../db/client";
import { notFound } from "../common";

/** A plan as the browser may hold it: the Decimal spend limit as a string, dates as ISO strings. */
export type PlanView = Omit<Db.Plan, "maxMonthlySpend" | "createdAt" | "updatedAt"> & {
  maxMonthlySpend: string | null;
  createdAt: string;
  updatedAt: string;
  users: number;
  teams: number;
};

function view(p: Db.Plan & { _count: { users: number; teams: number } }): PlanView {
  const { _count, maxMonthlySpend, createdAt, updatedAt, ...rest } = p;
  return {
    ...rest,
    maxMonthlySpend: maxMonthlySpend === null ? null : maxMonthlySpend.toFixed(2),
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    users: _count.users,
    teams: _count.teams,
  };
}

const counts = { _count: { select: { users: true, teams: true } } } as const;

export async function listPlans(): Promise<PlanView[]> {
  return (await db().plan.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }], include: counts })).map(view);
}

export async function getPlan(id: string): Promise<PlanView> {
  const p = await db().plan.findUnique({ where: { id }, include: counts });
  if (!p) throw notFound("Plan");
  return view(p);
}

/** Who is on a plan, and who could be moved to it. */
export async function planMembers(planId: string) {
  const [users, teams] = await Promise.all([
    db().user.findMany({ orderBy: { email: "asc" }, select: { id: true, email: true, name: true, planId: true, plan: { select: { name: true } } } }),
    db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, planId: true, plan: { select: { name: true } } } }),
  ]);
  return {
    users: users.map((u) => ({ id: u.id, email: u.email, name: u.name, onPlan: u.planId === planId, planName: u.plan?.name ?? null })),
    teams: teams.map((t) => ({ id: t.id, name: t.name, onPlan: t.planId === planId, planName: t.plan?.name ?? null })),
  };
}

export async function planOptions(): Promise<{ id: string; name: string; isDefault: boolean }[]> {
  return db().plan.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }], select: { id: true, name: true, isDefault: true } });
}
