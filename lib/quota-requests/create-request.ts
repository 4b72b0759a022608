import type { AuthenticatedUser } from "../auth/credentials";
import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import { transaction } from "../db/transaction";
import { AppError } from "../errors";
import { LIMIT_DIMENSION } from "../quota/grants";
import { createQuotaRequestSchema, MAX_PENDING } from "./schemas";
import { requestInclude, toView } from "./views";
import type { QuotaRequestView } from "./schemas";
import { zodMessage } from "../api/respond";

/**
 * A user asks for more (issue 14, "Request more"): validates `input` (createQuotaRequestSchema:
 * 400 naming the field, nothing written), checks that the scopes asked exist for this user (a
 * team item needs a team with a plan; an aggregate item of their own needs a plan of their own)
 * and that they have fewer than MAX_PENDING requests waiting (409), then stores the request with
 * its audit record in one transaction. Returns the request's view.
 */
export async function createQuotaRequest(user: Pick<AuthenticatedUser, "id" | "email">, input: unknown, options: { ip?: string | null } = {}): Promise<QuotaRequestView> {
  const parsed = createQuotaRequestSchema.safeParse(input);
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error), { data: { fieldErrors: fieldErrors(parsed.error.issues) } });
  const request = parsed.data;
  const owner = await db().user.findUniqueOrThrow({ where: { id: user.id }, select: { planId: true, team: { select: { id: true, name: true, planId: true } } } });
  if (!owner.planId && !owner.team?.planId) throw new AppError("bad_request", "You have no compute plan: ask an administrator to assign you one");
  request.items.forEach((item, i) => {
    if (item.scope === "team" && !owner.team?.planId) throw invalidItem(i, "scope", "you are in no team with a plan: ask for your own quota (scope \"user\")");
    if (item.scope === "user" && LIMIT_DIMENSION[item.limit].part === "total" && !owner.planId) throw invalidItem(i, "scope", "you have no plan of your own: ask for your team's quota (scope \"team\")");
  });
  const hasTeamItem = request.items.some((i) => i.scope === "team");
  const row = await transaction(async (tx) => {
    // One at a time per user (their row's lock), so that two requests cannot both pass the limit.
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${user.id} FOR NO KEY UPDATE`;
    const pending = await tx.quotaRequest.count({ where: { userId: user.id, status: "pending" } });
    if (pending >= MAX_PENDING) throw new AppError("conflict", `You already have ${pending} requests waiting for a decision: wait for them, or ask an administrator`);
    const created = await tx.quotaRequest.create({
      data: { userId: user.id, teamId: hasTeamItem ? owner.team!.id : null, items: request.items, reason: request.reason, days: request.days ?? null },
      include: requestInclude,
    });
    await recordAudit(tx, {
      actor: { id: user.id, email: user.email },
      action: "quota_request.create",
      targetType: "quota_request",
      targetId: created.id,
      after: { email: user.email, team: created.team?.name ?? null, items: request.items, reason: request.reason, days: request.days ?? null, status: "pending" },
      ip: options.ip ?? null,
    });
    return created;
  });
  return toView(row);
}

function invalidItem(i: number, field: string, message: string): AppError {
  const key = `items.${i}.${field}`;
  return new AppError("bad_request", `${key}: ${message}`, { data: { fieldErrors: { [key]: message } } });
}

function fieldErrors(issues: readonly { path: PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) out[issue.path.map(String).join(".") || "root"] ??= issue.message;
  return out;
}
