import { db } from "../../db/client";
import type { Db } from "../../db/client";
import { quotaOverridesSchema } from "../../quota/limits";
import { quotaSummary, type QuotaSummary } from "../../quota/summary";
import { notFound } from "../common";

export type UsageView = {
  vms: number;
  vmsLimit: number | null;
  cpuCores: number;
  cpuCoresLimit: number | null;
  memoryMb: number;
  memoryMbLimit: number | null;
  runningMonthlyCost: number;
  currency: string;
};

/** The user's own usage against their limits (their plan with their overrides). */
export function usageView(s: QuotaSummary): UsageView {
  const used = s.user?.used;
  const reserved = s.user?.reserved;
  const sum = (k: "vms" | "cpuCores" | "memoryMb") => (used?.[k] ?? 0) + (reserved?.[k] ?? 0);
  return {
    vms: sum("vms"),
    vmsLimit: s.user?.limits.vms ?? null,
    cpuCores: sum("cpuCores"),
    cpuCoresLimit: s.user?.limits.cpuCores ?? null,
    memoryMb: sum("memoryMb"),
    memoryMbLimit: s.user?.limits.memoryMb ?? null,
    runningMonthlyCost: s.runningMonthlyCost,
    currency: s.currency,
  };
}

export type UserRow = {
  id: string;
  email: string;
  name: string;
  role: Db.Role;
  disabled: boolean;
  plan: string | null;
  team: string | null;
  overrides: number;
  lastLoginAt: string | null;
  usage: UsageView;
};

export async function listUsersForAdmin(): Promise<UserRow[]> {
  const users = await db().user.findMany({
    orderBy: { email: "asc" },
    include: { plan: { select: { name: true } }, team: { select: { name: true } } },
  });
  const summaries = await Promise.all(users.map((u) => quotaSummary(u.id)));
  return users.map((u, i) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    plan: u.plan?.name ?? null,
    team: u.team?.name ?? null,
    overrides: Object.keys(overridesOf(u.quotaOverrides)).length,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    usage: usageView(summaries[i]!),
  }));
}

/** The stored overrides as numbers by Plan column; anything malformed reads as none. */
export function overridesOf(json: unknown): Record<string, number> {
  const parsed = quotaOverridesSchema.safeParse(json ?? {});
  if (!parsed.success) return {};
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => typeof v === "number")) as Record<string, number>;
}

export async function getUserForAdmin(id: string) {
  const u = await db().user.findUnique({
    where: { id },
    include: { plan: true, team: { select: { id: true, name: true, plan: { select: { name: true } } } }, _count: { select: { vms: { where: { deletedAt: null } } } } },
  });
  if (!u) throw notFound("User");
  const summary = await quotaSummary(u.id);
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    planId: u.planId,
    teamId: u.teamId,
    plan: u.plan ? { name: u.plan.name } : null,
    team: u.team ? { name: u.team.name, plan: u.team.plan?.name ?? null } : null,
    hasPassword: Boolean(u.passwordHash),
    sso: Boolean(u.oidcSubject),
    quotaOverrides: overridesOf(u.quotaOverrides),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    vms: u._count.vms,
    usage: usageView(summary),
    summary,
  };
}
