/**
 * The kinds of notification, what they are called, and whether they come by email when the user
 * has not chosen. Free of server-only imports: the Profile card uses it in the browser.
 * Extensible: a new kind is one more entry here (the database stores the kind as text).
 */
export const NOTIFICATION_KINDS = ["task_completed", "task_failed", "vm_interrupted", "quota_near", "quota_reached", "quota_request_decided"] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const KIND_INFO: Record<NotificationKind, { label: string; description: string; emailByDefault: boolean }> = {
  task_completed: { label: "Task completed", description: "A VM you asked for is ready, or an action on it finished.", emailByDefault: false },
  task_failed: { label: "Task failed", description: "A task on one of your VMs failed, with the reason.", emailByDefault: true },
  vm_interrupted: { label: "VM interrupted", description: "A provider stopped or reclaimed one of your VMs (e.g. an interruptible rental).", emailByDefault: true },
  quota_near: { label: "Quota nearly used", description: "You (or your team) reached 80 % of a quota or spend limit.", emailByDefault: true },
  quota_reached: { label: "Quota used up", description: "You (or your team) reached 100 % of a quota or spend limit.", emailByDefault: true },
  quota_request_decided: { label: "Quota request decided", description: "An administrator approved or refused your request for more quota.", emailByDefault: true },
};

export function isNotificationKind(value: unknown): value is NotificationKind {
  return typeof value === "string" && (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** Which kinds a user gets by email. */
export type EmailPreferences = Record<NotificationKind, boolean>;

export const DEFAULT_EMAIL_PREFERENCES: EmailPreferences = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, KIND_INFO[k].emailByDefault])) as EmailPreferences;
