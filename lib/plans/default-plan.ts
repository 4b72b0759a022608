import { db } from "../db/client";

/** The plan new users get: the one marked default, if any. */
export async function defaultPlanId(): Promise<string | null> {
  const plan = await db().plan.findFirst({ where: { isDefault: true }, select: { id: true } });
  return plan?.id ?? null;
}
