import { db } from "../../db/client";
import type { Db } from "../../db/client";
import { quotaOverridesSchema } from "../../quota/limits";
import type { QuotaOverridesForm } from "../../schemas/admin";
import { audit, notFound, TX_OPTIONS, type AdminActor } from "../common";
import { overridesOf } from "./views";

/** Replaces a user's overrides of single plan limits (empty ones inherit the plan's), audited. */
export async function setQuotaOverrides(input: QuotaOverridesForm, actor: AdminActor): Promise<{ overrides: Record<string, number> }> {
  const overrides = quotaOverridesSchema.parse(
    Object.fromEntries(Object.entries(input.overrides).flatMap(([key, value]) => (value === null || value === undefined ? [] : [[key, Number(value)]]))),
  );
  return db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.id } });
    if (!user) throw notFound("User");
    await tx.user.update({ where: { id: user.id }, data: { quotaOverrides: overrides as Db.Prisma.InputJsonValue } });
    await audit(tx, actor, "user.quota_overrides", "user", user.id, { email: user.email, quotaOverrides: overridesOf(user.quotaOverrides) }, { email: user.email, quotaOverrides: overrides });
    return { overrides: overrides as Record<string, number> };
  }, TX_OPTIONS);
}
