"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { NavItem } from "@/lib/auth/permissions";
import { cn } from "@/components/ui/cn";
import { NotificationBell } from "./notification-bell";

function isActive(pathname: string, href: string, all: NavItem[]): boolean {
  if (pathname === href) return true;
  if (!pathname.startsWith(href + "/")) return false;
  // "/vms/new" belongs to New VM, not to My VMs.
  return !all.some((other) => other.href !== href && other.href.startsWith(href) && (pathname === other.href || pathname.startsWith(other.href + "/")));
}

export function TopNav({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  return (
    <div className="flex items-center gap-1">
      <nav aria-label="Main" className="flex min-w-0 flex-1 gap-1 overflow-x-auto">
        {items.map((item) => {
          const active = isActive(pathname, item.href, items);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={cn(
                "whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium transition-colors",
                active ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
              )}
            >
              {item.label}
            </Link>
          );
        })}
      </nav>
      <NotificationBell />
    </div>
  );
}
