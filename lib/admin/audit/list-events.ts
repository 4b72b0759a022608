import { db } from "../../db/client";
import type { Db } from "../../db/client";
import type { AuditFilter } from "../../schemas/admin";
import { changes, type Change } from "./diff";

export const AUDIT_PAGE_SIZE = 25;

export type AuditEventView = {
  id: string;
  at: string;
  actorEmail: string;
  action: string;
  targetType: string;
  targetId: string | null;
  /** The target's name or email from the snapshots, when they have one. */
  targetLabel: string | null;
  ip: string | null;
  kind: "create" | "update" | "delete" | "event";
  changes: Change[];
};

/** A snapshot's name (or email), to show instead of an id. */
export function labelOf(...snapshots: unknown[]): string | null {
  for (const s of snapshots) {
    if (s && typeof s === "object") {
      const r = s as Record<string, unknown>;
      const v = r.email ?? r.name;
      if (typeof v === "string" && v) return v;
    }
  }
  return null;
}

function whereOf(f: AuditFilter): Db.Prisma.AuditEventWhereInput {
  const at: Db.Prisma.DateTimeFilter = {};
  if (f.from) at.gte = new Date(`${f.from}T00:00:00.000Z`);
  if (f.to) at.lt = new Date(new Date(`${f.to}T00:00:00.000Z`).getTime() + 86_400_000);
  return {
    ...(f.actor && { actorEmail: { contains: f.actor, mode: "insensitive" } }),
    ...(f.action && { action: { contains: f.action, mode: "insensitive" } }),
    ...(f.targetType && { targetType: f.targetType }),
    ...((f.from || f.to) && { at }),
  };
}

/** One page of the audit log, newest first, each event with its changed keys only. */
export async function listAuditEvents(filter: AuditFilter, pageSize = AUDIT_PAGE_SIZE) {
  const where = whereOf(filter);
  const total = await db().auditEvent.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(filter.page, pageCount);
  const rows = await db().auditEvent.findMany({ where, orderBy: [{ at: "desc" }, { id: "desc" }], skip: (page - 1) * pageSize, take: pageSize });
  const events: AuditEventView[] = rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actorEmail: r.actorEmail,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    targetLabel: labelOf(r.after, r.before),
    ip: r.ip,
    kind: r.before == null && r.after != null ? "create" : r.before != null && r.after == null ? "delete" : r.before != null ? "update" : "event",
    changes: changes(r.before, r.after),
  }));
  return { events, total, page, pageCount, pageSize };
}

/** The target types and actions that occur, for the filter's choices. */
export async function auditFacets(): Promise<{ targetTypes: string[]; actions: string[] }> {
  const [types, actions] = await Promise.all([
    db().auditEvent.findMany({ distinct: ["targetType"], select: { targetType: true }, orderBy: { targetType: "asc" } }),
    db().auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
  ]);
  return { targetTypes: types.map((t) => t.targetType), actions: actions.map((a) => a.action) };
}
