import type { Db, PrismaClient } from "../db/client";

type Tx = Pick<PrismaClient, "auditEvent">;
export type Actor = { id?: string | null; email: string } | null;

const SECRET_KEYS = /pass(word)?|secret|token|credential|hash|apikey/i;

/** Drops secret-looking fields so that before/after snapshots never hold a secret. */
export function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value instanceof Date) return value.toISOString();
  // Values with their own JSON form (Prisma's Decimal: "250.5") are recorded as that, not as their internals.
  if (value && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return scrub((value as { toJSON: () => unknown }).toJSON());
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEYS.test(k) ? (v == null ? v : "[redacted]") : scrub(v)]),
    );
  }
  return value;
}

/** Records who changed what, before and after. Call it inside the same transaction as the change. */
export async function recordAudit(
  tx: Tx,
  event: { actor: Actor; action: string; targetType: string; targetId?: string | null; before?: unknown; after?: unknown; ip?: string | null },
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: event.actor?.id ?? null,
      actorEmail: event.actor?.email ?? "system",
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId ?? null,
      before: event.before === undefined ? undefined : (scrub(event.before) as Db.Prisma.InputJsonValue),
      after: event.after === undefined ? undefined : (scrub(event.after) as Db.Prisma.InputJsonValue),
      ip: event.ip ?? null,
    },
  });
}
