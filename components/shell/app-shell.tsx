import Link from "next/link";
import type { ReactNode } from "react";
import type { NavItem } from "@/lib/auth/permissions";
import { Badge } from "@/components/ui/badge";
import { Logo } from "@/components/ui/logo";
import { SignOutButton } from "./sign-out-button";
import { TopNav } from "./top-nav";

export function AppShell({ user, nav, children }: { user: { name: string; email: string; role: string }; nav: NavItem[]; children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3 sm:px-6">
          <Link href="/vms" className="flex items-center gap-2 font-semibold text-slate-900">
            <Logo />
            <span>Hangar</span>
          </Link>
          <div className="min-w-0 flex-1">
            <TopNav items={nav} />
          </div>
          <div className="flex items-center gap-3">
            <Link href="/profile" className="hidden text-right sm:block" title="Your profile">
              <span className="block text-sm font-medium text-slate-900">{user.name || user.email}</span>
              <span className="block text-xs text-slate-500">{user.email}</span>
            </Link>
            {user.role !== "user" ? <Badge tone={user.role === "admin" ? "blue" : "yellow"}>{user.role}</Badge> : null}
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">{children}</main>
    </div>
  );
}
