import type { ReactNode } from "react";
import { requirePermission } from "@/lib/auth/guards";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requirePermission("admin.manage");
  return children;
}
