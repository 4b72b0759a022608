"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import type { NavItem } from "@/lib/auth/permissions";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { SignOutButton } from "./sign-out-button";

function isActive(pathname: string, href: string, all: NavItem[]): boolean {
  if (pathname === href) return true;
  if (!pathname.startsWith(href + "/")) return false;
  // "/vms/new" belongs to New VM, not to My VMs.
  return !all.some((other) => other.href !== href && other.href.startsWith(href) && (pathname === other.href || pathname.startsWith(other.href + "/")));
}

/** The navigation as a row of links, from the md breakpoint (768 px) up. */
export function TopNav({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="hidden min-w-0 gap-1 md:flex">
      {items.map((item) => {
        const active = isActive(pathname, item.href, items);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "whitespace-nowrap rounded-md px-2 py-2 text-sm font-medium transition-colors lg:px-3",
              active ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
            )}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}

/**
 * Below 768 px: a Menu button opening the navigation, the profile link and Sign out as a panel
 * under the header. Closes on a choice, on Escape (focus back to the button) and on navigation.
 */
export function MobileMenu({ items, user }: { items: NavItem[]; user: { name: string; email: string; role: string } }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const [lastPath, setLastPath] = useState(pathname);
  if (lastPath !== pathname) {
    setLastPath(pathname);
    setOpen(false);
  }
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  return (
    <div className="md:hidden">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="inline-flex items-center gap-1.5 rounded-md px-2.5 py-2 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-100"
      >
        <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} className="h-5 w-5" aria-hidden>
          {open ? <path d="M6 6l12 12M18 6 6 18" strokeLinecap="round" /> : <path d="M4 7h16M4 12h16M4 17h16" strokeLinecap="round" />}
        </svg>
        Menu
      </button>
      {open ? (
        <div id={panelId} className="absolute inset-x-0 top-[3.75rem] z-40 border-b border-slate-200 bg-white px-3 pb-4 pt-2 shadow-lg">
          <nav aria-label="Main">
            <ul className="space-y-1">
              {items.map((item) => {
                const active = isActive(pathname, item.href, items);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      aria-current={active ? "page" : undefined}
                      onClick={() => setOpen(false)}
                      className={cn("block rounded-md px-3 py-2.5 text-base font-medium", active ? "bg-indigo-50 text-indigo-700" : "text-slate-700 hover:bg-slate-100")}
                    >
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div className="mt-3 flex items-center justify-between gap-3 border-t border-slate-200 pt-3">
            <Link href="/profile" onClick={() => setOpen(false)} className="min-w-0 rounded-md px-3 py-1">
              <span className="block truncate text-sm font-medium text-slate-900">{user.name || user.email}</span>
              <span className="block truncate text-xs text-slate-500">{user.email}</span>
            </Link>
            <div className="flex shrink-0 items-center gap-2">
              {user.role !== "user" ? <Badge tone={user.role === "admin" ? "blue" : "yellow"}>{user.role}</Badge> : null}
              <SignOutButton />
            </div>
          </div>
        </div>
      ) : null}
    </div>
  );
}
