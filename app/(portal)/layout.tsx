import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requireUser } from "@/lib/auth/guards";
import { navigationFor } from "@/lib/auth/permissions";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <AppShell user={user} nav={navigationFor(user.role)}>
      {children}
    </AppShell>
  );
}
