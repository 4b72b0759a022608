import type { Db } from "../db/client";
import { recordAudit } from "../audit/record";
import { AppError } from "../errors";

/**
 * What every admin change shares: who does it (recorded in the audit log with their address),
 * the transaction it runs in, and errors that name the form field they belong to.
 */
export type AdminActor = { id: string; email: string; ip?: string | null };
export type Tx = Db.Prisma.TransactionClient;

/** Records the change in the same transaction (before/after are scrubbed of secrets). */
export async function audit(
  tx: Tx,
  actor: AdminActor,
  action: string,
  targetType: string,
  targetId: string | null,
  before: unknown,
  after: unknown,
): Promise<void> {
  await recordAudit(tx, {
    actor: { id: actor.id, email: actor.email },
    action,
    targetType,
    targetId,
    before: before ?? undefined,
    after: after ?? undefined,
    ip: actor.ip ?? null,
  });
}

/** A refusal that belongs to one field of the form (shown under that field). */
export function fieldError(field: string, message: string, code: "bad_request" | "conflict" = "bad_request"): AppError {
  return new AppError(code, message, { data: { fieldErrors: { [field]: message } } });
}

export function notFound(what: string): AppError {
  return new AppError("not_found", `${what} not found`);
}

/** A unique constraint was violated (a concurrent change took the name first). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

const LOCK_KEYS = { admins: "hangar:admins", "default-plan": "hangar:default-plan" } as const;

/**
 * Serializes changes that must look at a set of rows as a whole (the enabled admins; the
 * default plan) until the transaction ends, so that two concurrent changes cannot both pass.
 */
export async function lock(tx: Tx, key: keyof typeof LOCK_KEYS): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${LOCK_KEYS[key]}))`;
}

/** Room for waiting on the locks above and for a few dozen rows. */
export const TX_OPTIONS = { timeout: 30_000, maxWait: 10_000 } as const;
