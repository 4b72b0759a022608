import type { Metadata } from "next";
import { TeamForm } from "@/components/admin/teams/team-form";
import { TeamMembers } from "@/components/admin/teams/team-members";
import { PageHeader } from "@/components/ui/page-header";
import { planOptions } from "@/lib/admin/plans/views";
import { getTeam, memberCandidates } from "@/lib/admin/teams/views";
import { or404 } from "../../page-data";
import { requirePermission } from "@/lib/auth/guards";
import { pageId } from "@/lib/pages/params";

export const metadata: Metadata = { title: "Team · Admin" };

export default async function TeamPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("admin.manage");
  const id = pageId((await params).id);
  const [team, candidates, plans] = await Promise.all([or404(getTeam(id)), memberCandidates(id), planOptions()]);
  return (
    <>
      <PageHeader title={team.name} description={team.description || (team.plan ? `Team plan: ${team.plan.name}` : "No team plan")} />
      <div className="space-y-6">
        <TeamForm plans={plans} start={{ id: team.id, name: team.name, description: team.description, planId: team.planId ?? "" }} />
        <TeamMembers teamId={team.id} members={team.members} candidates={candidates} />
      </div>
    </>
  );
}
