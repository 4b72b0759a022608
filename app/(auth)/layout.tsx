import type { ReactNode } from "react";
import { ThemeSwitch } from "@/components/shell/theme-switch";
import { Logo } from "@/components/ui/logo";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="relative flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="absolute right-3 top-3">
        <ThemeSwitch />
      </div>
      <header className="mb-8 flex items-center gap-3">
        <Logo className="h-10 w-10" />
        <div>
          <p className="text-xl font-semibold text-slate-900">Hangar</p>
          <p className="text-sm text-slate-500">Virtual machines, self-service</p>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="w-full max-w-sm outline-none">
        {children}
      </main>
    </div>
  );
}
