import type { ReactNode } from "react";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { requirePermission } from "@/lib/auth/guards";
import { pendingQuotaRequests } from "@/lib/quota-requests";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requirePermission("admin.manage");
  const pending = await pendingQuotaRequests();
  return (
    <>
      <AdminTabs pendingRequests={pending} />
      {children}
    </>
  );
}
