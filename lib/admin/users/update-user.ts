import { endUserCredentials, isRoleLowered } from "../../auth/end-credentials";
import { hashPassword } from "../../auth/password";
import { db } from "../../db/client";
import type { UserUpdate } from "../../schemas/admin";
import { audit, fieldError, lock, notFound, TX_OPTIONS, type AdminActor, type Tx } from "../common";

async function snapshot(tx: Tx, id: string) {
  const u = await tx.user.findUniqueOrThrow({ where: { id }, include: { plan: { select: { name: true } }, team: { select: { name: true } } } });
  const { plan, team, ...row } = u;
  return { ...row, plan: plan?.name ?? null, team: team?.name ?? null };
}

const isActiveAdmin = (u: { role: string; disabled: boolean }) => u.role === "admin" && !u.disabled;

/**
 * Changes a user's name, role, plan, team and disabled flag, audited. The portal always keeps
 * an enabled admin: the last one can be neither demoted nor disabled (counted under a lock, so
 * two admins demoting each other at once cannot both succeed), and nobody disables themself.
 *
 * A new password (`newPassword`), disabling the user or lowering their role ends all their
 * browser sessions and API login tokens in the same transaction (lib/auth/end-credentials.ts);
 * a new password or disabling also revokes their personal API tokens unless `keepApiTokens`.
 * Enabling a user again brings none of them back.
 */
export async function updateUser(input: UserUpdate & { newPassword?: string; keepApiTokens?: boolean }, actor: AdminActor): Promise<{ id: string }> {
  const passwordHash = input.newPassword ? await hashPassword(input.newPassword) : undefined;
  return db().$transaction(async (tx) => {
    await lock(tx, "admins");
    const existing = await tx.user.findUnique({ where: { id: input.id } });
    if (!existing) throw notFound("User");
    if (input.id === actor.id && input.disabled && !existing.disabled) {
      throw fieldError("disabled", "You cannot disable your own account", "conflict");
    }
    if (isActiveAdmin(existing) && !isActiveAdmin(input)) {
      const admins = await tx.user.count({ where: { role: "admin", disabled: false } });
      if (admins <= 1) {
        const field = input.role !== "admin" ? "role" : "disabled";
        throw fieldError(field, `${existing.email} is the last enabled admin: make another user an admin first`, "conflict");
      }
    }
    if (input.planId && !(await tx.plan.findUnique({ where: { id: input.planId }, select: { id: true } }))) throw fieldError("planId", "This plan no longer exists");
    if (input.teamId && !(await tx.team.findUnique({ where: { id: input.teamId }, select: { id: true } }))) throw fieldError("teamId", "This team no longer exists");
    const before = await snapshot(tx, input.id);
    await tx.user.update({
      where: { id: input.id },
      data: { name: input.name, role: input.role, planId: input.planId, teamId: input.teamId, disabled: input.disabled, ...(passwordHash && { passwordHash }) },
    });
    const after = await snapshot(tx, input.id);
    const disabled = !before.disabled && after.disabled;
    const action = disabled ? "user.disable" : before.disabled && !after.disabled ? "user.enable" : "user.update";
    await audit(tx, actor, action, "user", input.id, before, after);
    if (passwordHash) await audit(tx, actor, "user.password_change", "user", input.id, undefined, { by: "admin" });
    if (passwordHash || disabled || isRoleLowered(before.role, after.role)) {
      await endUserCredentials(input.id, {
        reason: passwordHash ? "password_change" : disabled ? "disabled" : "role_lowered",
        actor: { id: actor.id, email: actor.email },
        ip: actor.ip,
        // Personal tokens end with a new password or a disable (unless kept); a lower role alone leaves them (they act with the new role).
        keepApiTokens: passwordHash || disabled ? Boolean(input.keepApiTokens) : true,
        tx,
      });
    }
    return { id: input.id };
  }, TX_OPTIONS);
}
