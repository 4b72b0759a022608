import type { ReactNode } from "react";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { requirePermission } from "@/lib/auth/guards";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requirePermission("admin.manage");
  return (
    <>
      <AdminTabs />
      {children}
    </>
  );
}
