import { randomBytes } from "node:crypto";
import { db } from "../../db/client";
import { hashPassword } from "../../auth/password";
import type { UserCreate } from "../../schemas/admin";
import { audit, fieldError, isUniqueViolation, TX_OPTIONS, type AdminActor } from "../common";

/** 16 URL-safe characters: 96 bits. */
export function generatePassword(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * Creates (invites) a user with a role, plan and team. Without a password one is generated and
 * returned once, for the admin to pass on; it is stored only as a hash.
 */
export async function createUserAsAdmin(input: UserCreate, actor: AdminActor): Promise<{ id: string; generatedPassword: string | null }> {
  const generatedPassword = input.password ? null : generatePassword();
  const passwordHash = await hashPassword(input.password ?? generatedPassword!);
  try {
    return await db().$transaction(async (tx) => {
      if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
        throw fieldError("email", "A user with this email already exists", "conflict");
      }
      if (input.planId && !(await tx.plan.findUnique({ where: { id: input.planId }, select: { id: true } }))) throw fieldError("planId", "This plan no longer exists");
      if (input.teamId && !(await tx.team.findUnique({ where: { id: input.teamId }, select: { id: true } }))) throw fieldError("teamId", "This team no longer exists");
      const user = await tx.user.create({
        data: { email: input.email, name: input.name, role: input.role, planId: input.planId, teamId: input.teamId, passwordHash },
        include: { plan: { select: { name: true } }, team: { select: { name: true } } },
      });
      const { plan, team, ...row } = user;
      await audit(tx, actor, "user.create", "user", user.id, undefined, { ...row, plan: plan?.name ?? null, team: team?.name ?? null });
      return { id: user.id, generatedPassword };
    }, TX_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldError("email", "A user with this email already exists", "conflict");
    throw error;
  }
}
