import { db } from "../db/client";
import { labelOf } from "./audit/list-events";

/** The admin overview: how much there is, and the latest changes. */
export async function adminOverview() {
  const [users, disabledUsers, providers, templates, plans, teams, vms, recent, quotaRequests] = await Promise.all([
    db().user.count(),
    db().user.count({ where: { disabled: true } }),
    db().providerConnection.count(),
    db().template.count(),
    db().plan.count(),
    db().team.count(),
    db().vm.count({ where: { deletedAt: null } }),
    db().auditEvent.findMany({ orderBy: [{ at: "desc" }, { id: "desc" }], take: 15 }),
    db().quotaRequest.count({ where: { status: "pending" } }),
  ]);
  return {
    counts: { users, disabledUsers, providers, templates, plans, teams, vms, quotaRequests },
    recent: recent.map((a) => ({ id: a.id, at: a.at.toISOString(), actorEmail: a.actorEmail, action: a.action, targetType: a.targetType, targetId: a.targetId, targetLabel: labelOf(a.after, a.before) })),
  };
}
