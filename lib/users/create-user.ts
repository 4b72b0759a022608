import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { hashPassword } from "../auth/password";
import { recordAudit, type Actor } from "../audit/record";
import { defaultPlanId } from "../plans/default-plan";
import { createUserSchema, type CreateUserInput } from "../schemas/user";
import { parseWith } from "../api/respond";

/** Creates a user; the plan is named (404-style error if unknown) or else the default plan. */
export async function createUser(input: CreateUserInput, actor: Actor = null): Promise<Db.User> {
  const data = parseWith(createUserSchema, input);
  const existing = await db().user.findUnique({ where: { email: data.email } });
  if (existing) throw new AppError("conflict", `A user with email ${data.email} already exists`);
  let planId: string | null;
  if (data.plan) {
    const plan = await db().plan.findUnique({ where: { name: data.plan } });
    if (!plan) throw new AppError("not_found", `Plan "${data.plan}" not found`);
    planId = plan.id;
  } else {
    planId = await defaultPlanId();
  }
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  return db().$transaction(async (tx) => {
    const user = await tx.user.create({
      data: { email: data.email, name: data.name ?? "", role: data.role, disabled: data.disabled, passwordHash, planId },
    });
    await recordAudit(tx, { actor, action: "user.create", targetType: "user", targetId: user.id, after: user });
    return user;
  });
}
