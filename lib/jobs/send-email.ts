import type { PgBoss } from "pg-boss";
import { db } from "../db/client";
import { env, smtpConfigured } from "../env";
import { log } from "../log";
import { describeSendFailure, sendEmail, type OutgoingEmail } from "../notifications/email";
import { queues } from "./queues";

/**
 * The email of one notification: to the user's address, the title as the subject, the body and
 * a link to the portal (absolute when NEXTAUTH_URL is set). Plain text only; nothing but what the
 * in-app notification shows (no provider internals, no secrets).
 */
export function composeEmail(notification: { title: string; body: string; link: string | null }, to: string): OutgoingEmail {
  const base = env().NEXTAUTH_URL?.replace(/\/+$/, "");
  const lines = [notification.body.trim()];
  if (notification.link) lines.push("", base ? `Open in Hangar: ${base}${notification.link}` : `Open in Hangar: ${notification.link}`);
  lines.push("", "You can choose which notifications come by email on your Profile page in Hangar.");
  return { to, subject: `[Hangar] ${notification.title}`, text: lines.filter((l, i) => i > 0 || l !== "").join("\n") };
}

/**
 * Sends the email of notification `notificationId` if it is still queued; marks it sent or, on
 * the last attempt (`final`), failed. Failures are logged without the SMTP URL, login or message
 * text. Throws (to ask pg-boss for a retry) only when a retry remains.
 */
export async function sendNotificationEmail(notificationId: string, { final }: { final: boolean }): Promise<"sent" | "failed" | "skipped"> {
  const n = await db().notification.findUnique({ where: { id: notificationId }, include: { user: { select: { email: true, disabled: true } } } });
  if (!n || n.emailStatus !== "queued") return "skipped";
  if (!smtpConfigured(env()) || n.user.disabled) {
    await db().notification.update({ where: { id: n.id }, data: { emailStatus: "failed" } });
    log.warn({ notificationId, reason: n.user.disabled ? "user disabled" : "SMTP no longer configured" }, "notification email not sent");
    return "failed";
  }
  try {
    await sendEmail(composeEmail(n, n.user.email));
  } catch (error) {
    const failure = describeSendFailure(error);
    log.warn({ notificationId, kind: n.kind, final, ...failure }, "notification email failed");
    if (!final) throw new Error(`email not sent: ${failure.code ?? failure.responseCode ?? "error"}`);
    await db().notification.update({ where: { id: n.id }, data: { emailStatus: "failed" } });
    return "failed";
  }
  await db().notification.update({ where: { id: n.id }, data: { emailStatus: "sent", emailedAt: new Date() } });
  log.info({ notificationId, kind: n.kind }, "notification email sent");
  return "sent";
}

/** Registers this process as a worker of the email queue (called from lib/jobs/worker.ts). */
export async function startEmailWorker(boss: PgBoss): Promise<void> {
  await boss.work(queues.sendEmail.name, { includeMetadata: true, localConcurrency: 2 }, async ([job]) => {
    if (!job) return;
    await sendNotificationEmail((job.data as { notificationId: string }).notificationId, { final: job.retryCount >= job.retryLimit });
  });
}
