/**
 * Notifications (issue 12, item 5): what users are told, in the portal and by email.
 * Call sites for the task engine: notifyTaskFinished(taskId) after a task's final status is
 * committed, checkQuotaThresholds(userId) after a user's use changes, notifyVmInterrupted(vmId,
 * reason) when a provider interrupts a VM. See /work/notes/notifications.md.
 */
export { notify, listNotifications, markRead, unreadCount, emailPreferences, setEmailPreferences, type NotificationInput, type NotificationView } from "./notify";
export { notifyTaskFinished, taskFinishedMessage } from "./task-finished";
export { notifyVmInterrupted } from "./vm-interrupted";
export { checkQuotaThresholds, queueQuotaCheck, quotaLevel } from "./quota";
export { NOTIFICATION_KINDS, KIND_INFO, DEFAULT_EMAIL_PREFERENCES, type NotificationKind, type EmailPreferences } from "./kinds";
