import nodemailer from "nodemailer";
import { env, smtpConfigured } from "../env";

/**
 * Sending one email over SMTP (nodemailer), with a deadline. Used by the pg-boss handler in
 * lib/jobs/send-email.ts, never inside a database transaction nor in a request.
 */

export type OutgoingEmail = { to: string; subject: string; text: string };

/** What a failed send may log: no URL, no login, no message text. */
export type SendFailure = { code: string | null; responseCode: number | null; message: string };

/** Removes anything that looks like a URL login or the configured SMTP URL's password from a text. */
export function scrubSmtpSecrets(textIn: string): string {
  let out = textIn.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1[redacted]@");
  const url = env().HANGAR_SMTP_URL;
  if (url) {
    try {
      const parsed = new URL(url);
      for (const secret of [parsed.password, decodeURIComponent(parsed.password), parsed.username && parsed.password ? `${parsed.username}:${parsed.password}` : ""]) {
        if (secret && secret.length >= 3) out = out.split(secret).join("[redacted]");
      }
    } catch {
      // not a URL: nothing more to scrub
    }
  }
  return out;
}

/** A send error in loggable words. */
export function describeSendFailure(error: unknown): SendFailure {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  return {
    code: typeof e?.code === "string" ? e.code : null,
    responseCode: typeof e?.responseCode === "number" ? e.responseCode : null,
    message: scrubSmtpSecrets(typeof e?.message === "string" ? e.message.slice(0, 500) : String(error).slice(0, 500)),
  };
}

/**
 * Sends one email through HANGAR_SMTP_URL from HANGAR_SMTP_FROM. Throws if SMTP is not configured,
 * if the server refuses, or when HANGAR_SMTP_TIMEOUT_SECONDS pass (connection, greeting and every
 * socket wait are bounded too). Returns the server's message id.
 */
export async function sendEmail(message: OutgoingEmail): Promise<string> {
  const e = env();
  if (!smtpConfigured(e)) throw new Error("SMTP is not configured (HANGAR_SMTP_URL and HANGAR_SMTP_FROM)");
  const ms = e.HANGAR_SMTP_TIMEOUT_SECONDS * 1000;
  const transport = nodemailer.createTransport({
    url: e.HANGAR_SMTP_URL!,
    connectionTimeout: Math.min(ms, 10_000),
    greetingTimeout: Math.min(ms, 10_000),
    socketTimeout: ms,
    logger: false,
    debug: false,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`SMTP send took longer than ${e.HANGAR_SMTP_TIMEOUT_SECONDS} s`), { code: "ETIMEDOUT" })), ms);
    });
    const info = await Promise.race([transport.sendMail({ from: e.HANGAR_SMTP_FROM!, to: message.to, subject: message.subject, text: message.text }), deadline]);
    return String(info.messageId ?? "");
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
