import Link from "next/link";
import type { ReactNode } from "react";
import type { NavItem } from "@/lib/auth/permissions";
import { Badge } from "@/components/ui/badge";
import { Logo } from "@/components/ui/logo";
import { NotificationBell } from "./notification-bell";
import { SignOutButton } from "./sign-out-button";
import { ThemeSwitch } from "./theme-switch";
import { MobileMenu, TopNav } from "./top-nav";

/**
 * The signed-in page frame: a header with the navigation (a row of links from the md breakpoint
 * up, a menu button below it), the bell, the theme switch and the account, then the page's
 * `<main id="main">` (the skip link's target).
 */
export function AppShell({ user, nav, children }: { user: { name: string; email: string; role: string }; nav: NavItem[]; children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="relative border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-2 px-3 py-3 sm:gap-4 sm:px-6">
          <Link href="/vms" className="flex shrink-0 items-center gap-2 font-semibold text-slate-900">
            <Logo />
            <span>Hangar</span>
          </Link>
          <div className="min-w-0 flex-1">
            <TopNav items={nav} />
          </div>
          <NotificationBell />
          <ThemeSwitch />
          <div className="hidden items-center gap-3 md:flex">
            <Link href="/profile" className="hidden text-right lg:block" title="Your profile">
              <span className="block text-sm font-medium text-slate-900">{user.name || user.email}</span>
              <span className="block text-xs text-slate-500">{user.email}</span>
            </Link>
            {user.role !== "user" ? (
              <span className="hidden lg:inline-flex">
                <Badge tone={user.role === "admin" ? "blue" : "yellow"}>{user.role}</Badge>
              </span>
            ) : null}
            <SignOutButton />
          </div>
          <MobileMenu items={nav} user={user} />
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-3 py-6 outline-none sm:px-6 sm:py-8">
        {children}
      </main>
    </div>
  );
}
