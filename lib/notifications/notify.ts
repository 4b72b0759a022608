import { fromPrisma } from "pg-boss";
import type { Db } from "../db/client";
import { db } from "../db/client";
import { env, smtpConfigured } from "../env";
import { AppError } from "../errors";
import { getBoss } from "../jobs/boss";
import { queues } from "../jobs/queues";
import { log } from "../log";
import { DEFAULT_EMAIL_PREFERENCES, NOTIFICATION_KINDS, isNotificationKind, type EmailPreferences, type NotificationKind } from "./kinds";
import { DEFAULT_LIMIT, type ListQuery, type MarkReadInput } from "./schemas";

/** A Prisma client or an interactive transaction's client. */
export type Tx = Db.Prisma.TransactionClient;

export type NotificationInput = {
  kind: NotificationKind;
  /** One line, at most 200 characters (longer is cut). */
  title: string;
  /** Plain text, at most 2000 characters (longer is cut). */
  body?: string;
  /** A portal path ("/vms/<id>"); never an external URL. */
  link?: string | null;
};

/** A notification as the API and the pages show it. */
export type NotificationView = {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  read: boolean;
  read_at: string | null;
  created_at: string;
};

const TITLE_MAX = 200;
const BODY_MAX = 2000;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A portal path: starts with one "/", no scheme, no "//" host, no backslash or control characters. */
export function isPortalPath(link: string): boolean {
  return /^\/(?![/\\])[^\s\\\u0000-\u001f\u007f]*$/.test(link) && link.length <= 500;
}

/**
 * Tells a user something: stores the in-app notification (the bell, /notifications) and, when
 * SMTP is configured and the user wants this kind by email, queues the email as a pg-boss job
 * (lib/jobs/send-email.ts sends it later, outside any transaction, with a deadline and retries).
 *
 * With `tx`, the notification and its email job are part of the caller's transaction: both
 * exist only if it commits. Queueing the email never fails the caller (a failure is logged and
 * the notification's emailStatus is "failed"); storing the notification itself fails like any
 * write of the caller's. Throws an Error for an unknown kind or a link that is not a portal path
 * (programming errors). Returns the notification's id and whether an email was queued.
 */
export async function notify(userId: string, input: NotificationInput, options: { tx?: Tx } = {}): Promise<{ id: string; emailQueued: boolean }> {
  if (!isNotificationKind(input.kind)) throw new Error(`notify: unknown notification kind ${JSON.stringify(input.kind)}`);
  if (input.link != null && !isPortalPath(input.link)) throw new Error("notify: link must be a portal path such as /vms/<id>");
  const client: Tx = options.tx ?? db();
  const byEmail = await wantsEmail(client, userId, input.kind);
  const created = await client.notification.create({
    data: {
      userId,
      kind: input.kind,
      title: cut(input.title.trim() || input.kind, TITLE_MAX),
      body: cut(input.body ?? "", BODY_MAX),
      link: input.link ?? null,
      emailStatus: byEmail ? "queued" : null,
    },
    select: { id: true },
  });
  if (!byEmail) return { id: created.id, emailQueued: false };
  const queued = await queueEmail(created.id, options.tx);
  if (!queued) await client.notification.update({ where: { id: created.id }, data: { emailStatus: "failed" } });
  return { id: created.id, emailQueued: queued };
}

/** Whether `userId` gets `kind` by email now: SMTP configured and the user's choice (or the kind's default). */
export async function wantsEmail(client: Tx, userId: string, kind: NotificationKind): Promise<boolean> {
  if (!smtpConfigured(env())) return false;
  const pref = await client.notificationPreference.findUnique({ where: { userId_kind: { userId, kind } } });
  return pref ? pref.email : DEFAULT_EMAIL_PREFERENCES[kind];
}

/** Queues the email job; inside `tx` behind a savepoint so that a failure cannot spoil the caller's transaction. */
async function queueEmail(notificationId: string, tx: Tx | undefined): Promise<boolean> {
  try {
    const boss = await getBoss();
    if (!tx) {
      await boss.send(queues.sendEmail.name, { notificationId }, queues.sendEmail.sendOptions);
      return true;
    }
    await tx.$executeRawUnsafe("SAVEPOINT hangar_notify_email");
    try {
      await boss.send(queues.sendEmail.name, { notificationId }, { ...queues.sendEmail.sendOptions, db: fromPrisma(tx) });
      await tx.$executeRawUnsafe("RELEASE SAVEPOINT hangar_notify_email");
      return true;
    } catch (error) {
      await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT hangar_notify_email");
      throw error;
    }
  } catch (error) {
    log.warn({ notificationId, reason: error instanceof Error ? error.message.slice(0, 300) : "unknown" }, "could not queue a notification email");
    return false;
  }
}

// ── reading and marking ──────────────────────────────────────────────────────────────────────

export function toView(n: Db.Notification): NotificationView {
  return { id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, read: n.readAt !== null, read_at: n.readAt?.toISOString() ?? null, created_at: n.createdAt.toISOString() };
}

function encodeCursor(n: { createdAt: Date; id: string }): string {
  return Buffer.from(`${n.createdAt.toISOString()}|${n.id}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const invalid = new AppError("bad_request", "cursor: not a cursor from a previous page");
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid;
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (rest.length || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) throw invalid;
  return { createdAt, id };
}

/**
 * A user's notifications, newest first, `limit` (default 20, at most 100) per page; `unread`
 * only those not read yet; `cursor` continues after the previous page's `next_cursor` (null on
 * the last page). Also answers the number of unread ones. A malformed cursor is a 400 AppError.
 */
export async function listNotifications(userId: string, query: ListQuery = { unread: false }): Promise<{ notifications: NotificationView[]; next_cursor: string | null; unread_count: number }> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const where: Db.Prisma.NotificationWhereInput = {
    userId,
    ...(query.unread ? { readAt: null } : {}),
    ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
  };
  const [rows, unread] = await Promise.all([
    db().notification.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit + 1 }),
    unreadCount(userId),
  ]);
  const page = rows.slice(0, limit);
  return { notifications: page.map(toView), next_cursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null, unread_count: unread };
}

/** How many of the user's notifications are unread. */
export function unreadCount(userId: string): Promise<number> {
  return db().notification.count({ where: { userId, readAt: null } });
}

/**
 * Marks the user's notifications read: the given ids (ids that are not theirs or unknown are
 * ignored) or all of them. Returns how many changed (already read ones do not count).
 */
export async function markRead(userId: string, input: MarkReadInput): Promise<{ updated: number }> {
  const ids = "ids" in input ? input.ids : null;
  const { count } = await db().notification.updateMany({
    where: { userId, readAt: null, ...(ids ? { id: { in: ids } } : {}) },
    data: { readAt: new Date() },
  });
  return { updated: count };
}

// ── email preferences ────────────────────────────────────────────────────────────────────────

/** Which kinds the user gets by email: their choices, the defaults for the rest. */
export async function emailPreferences(userId: string, client: Tx = db()): Promise<EmailPreferences> {
  const rows = await client.notificationPreference.findMany({ where: { userId } });
  const prefs = { ...DEFAULT_EMAIL_PREFERENCES };
  for (const row of rows) if (isNotificationKind(row.kind)) prefs[row.kind] = row.email;
  return prefs;
}

/** Stores the user's choices for the kinds given (others keep theirs) in one transaction; answers the whole set. */
export async function setEmailPreferences(userId: string, choices: Partial<EmailPreferences>): Promise<EmailPreferences> {
  return db().$transaction(async (tx) => {
    for (const kind of NOTIFICATION_KINDS) {
      const email = choices[kind];
      if (typeof email !== "boolean") continue;
      await tx.notificationPreference.upsert({ where: { userId_kind: { userId, kind } }, create: { userId, kind, email }, update: { email } });
    }
    return emailPreferences(userId, tx);
  });
}
