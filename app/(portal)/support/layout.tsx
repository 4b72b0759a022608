import type { ReactNode } from "react";
import { requirePermission } from "@/lib/auth/guards";

export default async function SupportLayout({ children }: { children: ReactNode }) {
  await requirePermission("tasks.monitor");
  return children;
}
