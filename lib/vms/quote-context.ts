import { db } from "../db/client";
import { quotaContext } from "../quota/context";
import type { PriceTable } from "../pricing/cost";

/** What pricing a GPU order needs of a user: their team, their plan's GPU and rental types, the price table, the portal's currency. */
export async function quoteContext(userId: string): Promise<{ teamId: string | null; plan: { allowedGpuTypes: string[]; allowedRentalTypes: string[] } | null; prices: PriceTable; currency: string }> {
  const [ctx, currency] = await Promise.all([quotaContext(db(), userId), db().setting.findUnique({ where: { key: "currency" } })]);
  return { teamId: ctx.teamId, plan: ctx.plan, prices: ctx.prices, currency: typeof currency?.value === "string" ? currency.value : "EUR" };
}
