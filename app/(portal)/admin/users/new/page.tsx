import type { Metadata } from "next";
import { UserCreateForm } from "@/components/admin/users/user-create-form";
import { PageHeader } from "@/components/ui/page-header";
import { planOptions } from "@/lib/admin/plans/views";
import { teamOptions } from "@/lib/admin/teams/views";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "New user · Admin" };

export default async function NewUserPage() {
  await requirePermission("admin.manage");
  const [plans, teams] = await Promise.all([planOptions(), teamOptions()]);
  return (
    <>
      <PageHeader title="New user" description="Invite someone: they sign in with their email and the password you give them." />
      <div className="max-w-3xl">
        <UserCreateForm options={{ plans, teams }} />
      </div>
    </>
  );
}
