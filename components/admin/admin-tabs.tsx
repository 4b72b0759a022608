"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

export const ADMIN_SECTIONS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/providers", label: "Providers" },
  { href: "/admin/templates", label: "Templates" },
  { href: "/admin/plans", label: "Plans" },
  { href: "/admin/teams", label: "Teams" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/vms", label: "VMs" },
  { href: "/admin/quota-requests", label: "Requests" },
  { href: "/admin/prices", label: "Prices" },
  { href: "/admin/audit", label: "Audit log" },
] as const;

/**
 * The admin console's sections; a section stays current on its sub-pages (e.g. a plan's page).
 * `pendingRequests`: quota requests waiting for a decision, shown beside "Requests".
 */
export function AdminTabs({ pendingRequests = 0 }: { pendingRequests?: number }) {
  const pathname = usePathname();
  const current = (href: string) => (href === "/admin" ? pathname === href : pathname === href || pathname.startsWith(`${href}/`));
  return (
    <nav aria-label="Admin sections" className="-mt-2 mb-6 border-b border-slate-200">
      <ul className="flex flex-wrap gap-x-1">
        {ADMIN_SECTIONS.map((s) => {
          const active = current(s.href);
          return (
            <li key={s.href}>
              <Link
                href={s.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "-mb-px inline-block border-b-2 px-3 py-2.5 text-sm font-medium transition-colors",
                  active ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-800",
                )}
              >
                {s.label}
                {s.href === "/admin/quota-requests" && pendingRequests > 0 ? (
                  <span className="ml-1.5 rounded-full bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900" data-testid="pending-requests-count">
                    {pendingRequests}
                    <span className="sr-only"> waiting</span>
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
