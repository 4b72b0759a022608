import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { recordAudit } from "../audit/record";
import { isPlausibleId } from "../api/ids";
import { zodMessage } from "../api/respond";
import type { Db } from "../db/client";
import { transaction } from "../db/transaction";
import { AppError } from "../errors";
import { notify } from "../notifications/notify";
import { approveQuotaRequestSchema, DEFAULT_DAYS, refuseQuotaRequestSchema, type QuotaRequestView } from "./schemas";
import { QUOTA_REQUEST_NOT_FOUND } from "./list-requests";
import { describeItems, itemsOf, requestInclude, toView, type RequestRow } from "./views";

type Actor = Pick<AuthenticatedUser, "id" | "email" | "role"> & { ip?: string | null };
type Tx = Db.Prisma.TransactionClient;

const DAY_MS = 86_400_000;

/**
 * Loads a pending request for a decision, locked (FOR NO KEY UPDATE) so that two admins deciding
 * at once are decided one after the other: the second finds it decided (409). Only admins decide
 * (403), never their own request (403); an unknown id is 404.
 */
async function pendingForDecision(tx: Tx, actor: Actor, id: string): Promise<RequestRow> {
  if (!can(actor.role, "admin.manage")) throw new AppError("forbidden", "Only administrators decide quota requests");
  // Ids come from callers (a server action's arguments, a path): what cannot be one names no request.
  if (!isPlausibleId(id)) throw new AppError("not_found", QUOTA_REQUEST_NOT_FOUND);
  await tx.$queryRaw`SELECT id FROM "QuotaRequest" WHERE id = ${id} FOR NO KEY UPDATE`;
  const row = await tx.quotaRequest.findUnique({ where: { id }, include: requestInclude });
  if (!row) throw new AppError("not_found", QUOTA_REQUEST_NOT_FOUND);
  if (row.userId === actor.id) throw new AppError("forbidden", "You cannot decide your own request: another administrator has to");
  if (row.status !== "pending") throw new AppError("conflict", `This request was already ${row.status}${row.decidedByEmail ? ` by ${row.decidedByEmail}` : ""}`);
  return row;
}

async function currencyOf(tx: Tx): Promise<string> {
  const row = await tx.setting.findUnique({ where: { key: "currency" } });
  return typeof row?.value === "string" ? row.value : "EUR";
}

/**
 * Approves a pending request: one QuotaGrant per item, raising exactly that limit of the
 * requester's quota (or their team's) by the amount asked, from now for `days` (the admin's, else
 * the requester's, else DEFAULT_DAYS); the quota checks count it until then (lib/quota/grants.ts).
 * The decision, its audit record and the requester's notification (in-app and, as they chose, by
 * email) are one transaction. Bad input: 400, nothing written.
 */
export async function approveQuotaRequest(actor: Actor, id: string, input: unknown): Promise<QuotaRequestView> {
  const parsed = approveQuotaRequestSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  const { days: asked, note } = parsed.data;
  const row = await transaction(async (tx) => {
    const request = await pendingForDecision(tx, actor, id);
    const items = itemsOf(request.items);
    if (items.some((i) => i.scope === "team") && !request.teamId) throw new AppError("conflict", "The team this request is for no longer exists: refuse it instead");
    const now = new Date();
    const days = asked ?? request.days ?? DEFAULT_DAYS;
    const endsAt = new Date(now.getTime() + days * DAY_MS);
    for (const item of items) {
      await tx.quotaGrant.create({
        data: {
          ...(item.scope === "team" ? { teamId: request.teamId! } : { userId: request.userId }),
          limit: item.limit,
          amount: item.amount,
          startsAt: now,
          endsAt,
          requestId: request.id,
        },
      });
    }
    const decided = await tx.quotaRequest.update({
      where: { id },
      data: { status: "approved", decidedById: actor.id, decidedByEmail: actor.email, decidedAt: now, decisionReason: note || null },
      include: requestInclude,
    });
    await recordAudit(tx, {
      actor: { id: actor.id, email: actor.email },
      action: "quota_request.approve",
      targetType: "quota_request",
      targetId: id,
      before: { email: request.user.email, status: "pending" },
      after: { email: request.user.email, status: "approved", team: request.team?.name ?? null, items, days, endsAt, note: note || null },
      ip: actor.ip ?? null,
    });
    const what = describeItems(items, request.team?.name ?? null, await currencyOf(tx));
    await notify(
      request.userId,
      {
        kind: "quota_request_decided",
        title: "Your request for more quota was approved",
        body: `${what}, for ${days} day${days === 1 ? "" : "s"} (until ${endsAt.toISOString().slice(0, 16).replace("T", " ")} UTC).${note ? ` ${actor.email}: ${note}` : ""}`,
        link: "/quota",
      },
      { tx },
    );
    return decided;
  });
  return toView(row);
}

/**
 * Refuses a pending request with a reason (required: the requester is told it). The decision,
 * its audit record and the notification are one transaction; nothing changes in any quota.
 */
export async function refuseQuotaRequest(actor: Actor, id: string, input: unknown): Promise<QuotaRequestView> {
  const parsed = refuseQuotaRequestSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  const { reason } = parsed.data;
  const row = await transaction(async (tx) => {
    const request = await pendingForDecision(tx, actor, id);
    const decided = await tx.quotaRequest.update({
      where: { id },
      data: { status: "refused", decidedById: actor.id, decidedByEmail: actor.email, decidedAt: new Date(), decisionReason: reason },
      include: requestInclude,
    });
    await recordAudit(tx, {
      actor: { id: actor.id, email: actor.email },
      action: "quota_request.refuse",
      targetType: "quota_request",
      targetId: id,
      before: { email: request.user.email, status: "pending" },
      after: { email: request.user.email, status: "refused", reason },
      ip: actor.ip ?? null,
    });
    const what = describeItems(itemsOf(request.items), request.team?.name ?? null, await currencyOf(tx));
    await notify(request.userId, { kind: "quota_request_decided", title: "Your request for more quota was refused", body: `${what}. ${actor.email}: ${reason}`, link: "/quota" }, { tx });
    return decided;
  });
  return toView(row);
}
