import type { Db } from "../db/client";

export type Role = Db.Role;

/** What each role may do. Checked by requirePermission (pages, actions) and the API wrapper. */
const permissions = {
  "vms.own": ["user", "support", "admin"],
  "profile.manage": ["user", "support", "admin"],
  "tasks.monitor": ["support", "admin"],
  "admin.manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}

export type NavItem = { href: string; label: string };

/** Navigation as data: what each role sees in the portal's top bar. */
export function navigationFor(role: Role): NavItem[] {
  const items: NavItem[] = [
    { href: "/vms", label: "My VMs" },
    { href: "/vms/new", label: "New VM" },
    { href: "/tasks", label: "Tasks" },
    { href: "/quota", label: "Quota" },
  ];
  if (can(role, "tasks.monitor")) items.push({ href: "/support/tasks", label: "Task monitor" });
  if (can(role, "tasks.monitor")) items.push({ href: "/support/showback", label: "Showback" });
  if (can(role, "admin.manage")) items.push({ href: "/admin", label: "Admin" });
  return items;
}
