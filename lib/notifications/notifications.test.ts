import { describe, expect, it } from "vitest";
import { DEFAULT_EMAIL_PREFERENCES, NOTIFICATION_KINDS, isNotificationKind } from "./kinds";
import { emailPreferencesSchema, listQuerySchema, parseMarkRead } from "./schemas";
import { taskFinishedMessage } from "./task-finished";

/** The pure parts of notifications: request shapes and what a finished task says. */

const vm = { id: "vm-1", name: "web-1", status: "running", ipAddress: "10.0.0.9", deletedAt: null };

describe("taskFinishedMessage", () => {
  it("completed create: the VM is running, with its IP, linking to the VM", () => {
    expect(taskFinishedMessage({ id: "clone-1", kind: "vm.create", status: "completed", error: null, input: {}, vm })).toEqual({
      kind: "task_completed",
      title: "Your VM web-1 is running",
      body: "The task finished successfully. Its IP address is 10.0.0.9.",
      link: "/vms/vm-1",
    });
  });

  it("failed: the user-facing error and the task page; a missing error still says something", () => {
    expect(taskFinishedMessage({ id: "clone-2", kind: "vm.resize", status: "failed", error: "Not enough memory on pve1", input: {}, vm })).toEqual({
      kind: "task_failed",
      title: "Resizing your VM web-1 failed",
      body: "Not enough memory on pve1",
      link: "/tasks/clone-2",
    });
    expect(taskFinishedMessage({ id: "t", kind: "vm.start", status: "failed", error: null, input: {}, vm })?.body).toMatch(/open it/);
  });

  it("the VM's name from the request when the VM row is gone; nothing for cancelled or unfinished tasks", () => {
    expect(taskFinishedMessage({ id: "t", kind: "vm.create", status: "failed", error: "x", input: { name: "db-9" }, vm: null })?.title).toBe("Creating your VM db-9 failed");
    for (const status of ["pending", "in_progress", "cancelled"]) expect(taskFinishedMessage({ id: "t", kind: "vm.start", status, error: null, input: {}, vm })).toBeNull();
  });
});

describe("request shapes", () => {
  it("list query: unread, limit 1-100, cursor; everything else a message naming the field", () => {
    expect(listQuerySchema.parse({ unread: "true", limit: "5" })).toEqual({ unread: true, limit: 5 });
    expect(listQuerySchema.parse({})).toEqual({ unread: false });
    for (const bad of [{ limit: "0" }, { limit: "101" }, { limit: "2.5" }, { limit: "1e2" }, { unread: "1" }, { cursor: "a\u0000" }]) expect(listQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it("mark read: ids (1-100 plausible strings) or all: true, nothing else", () => {
    expect(parseMarkRead({ ids: ["a"] }).success).toBe(true);
    expect(parseMarkRead({ all: true }).success).toBe(true);
    for (const bad of [null, [], "all", {}, { all: 1 }, { all: false }, { ids: [] }, { ids: ["a"], all: true }, { ids: Array(101).fill("a") }, { ids: [""] }, { ids: [{}] }, { extra: 1 }]) {
      expect(parseMarkRead(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(parseMarkRead({ all: "yes" }).error?.issues[0]?.path).toEqual(["all"]);
  });

  it("email preferences: booleans per known kind only", () => {
    expect(emailPreferencesSchema.parse({ task_failed: false })).toEqual({ task_failed: false });
    expect(emailPreferencesSchema.safeParse({ task_failed: "false" }).success).toBe(false);
    expect(emailPreferencesSchema.safeParse({ unknown_kind: true }).success).toBe(false);
    expect(Object.keys(DEFAULT_EMAIL_PREFERENCES).sort()).toEqual([...NOTIFICATION_KINDS].sort());
    expect(isNotificationKind("quota_near")).toBe(true);
    expect(isNotificationKind("__proto__")).toBe(false);
  });
});
