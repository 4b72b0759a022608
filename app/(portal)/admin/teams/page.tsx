import type { Metadata } from "next";
import Link from "next/link";
import { TeamTable } from "@/components/admin/teams/team-table";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { listTeams } from "@/lib/admin/teams/views";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Teams · Admin" };

export default async function TeamsPage() {
  await requirePermission("admin.manage");
  const teams = await listTeams();
  const add = (
    <Link href="/admin/teams/new" className={buttonClass()}>
      New team
    </Link>
  );
  return (
    <>
      <PageHeader title="Teams" description="Groups of users who share a quota and template grants." actions={teams.length ? add : undefined} />
      {teams.length === 0 ? (
        <EmptyState title="No teams yet" description="A team shares one aggregate quota among its members and can be granted templates together." action={add} />
      ) : (
        <TeamTable teams={teams} />
      )}
    </>
  );
}
