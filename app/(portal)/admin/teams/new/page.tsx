import type { Metadata } from "next";
import { TeamForm } from "@/components/admin/teams/team-form";
import { PageHeader } from "@/components/ui/page-header";
import { planOptions } from "@/lib/admin/plans/views";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "New team · Admin" };

export default async function NewTeamPage() {
  await requirePermission("admin.manage");
  const plans = await planOptions();
  return (
    <>
      <PageHeader title="New team" description="Add members once the team exists." />
      <div className="max-w-3xl">
        <TeamForm plans={plans} start={{ name: "", description: "", planId: "" }} />
      </div>
    </>
  );
}
