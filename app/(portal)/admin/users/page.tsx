import type { Metadata } from "next";
import Link from "next/link";
import { UserTable } from "@/components/admin/users/user-table";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { listUsersForAdmin } from "@/lib/admin/users/views";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Users · Admin" };

export default async function UsersPage() {
  await requirePermission("admin.manage");
  const users = await listUsersForAdmin();
  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone who can sign in: role, plan, team and what they use."
        actions={
          <Link href="/admin/users/new" className={buttonClass()}>
            New user
          </Link>
        }
      />
      <UserTable users={users} />
    </>
  );
}
