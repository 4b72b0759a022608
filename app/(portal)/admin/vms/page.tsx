import type { Metadata } from "next";
import Link from "next/link";
import { AdminVmTable } from "@/components/admin/vms/vm-table";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterForm, FilterInput, FilterSelect } from "@/components/ui/filter-form";
import { PageHeader } from "@/components/ui/page-header";
import { listAllVms, type AdminVmRow } from "@/lib/admin/vms";
import { requirePermission } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";
import { isAppError } from "@/lib/errors";

export const metadata: Metadata = { title: "VMs · Admin" };

const FIELDS = ["q", "status", "provider", "team", "owner", "gpu", "cursor"] as const;
const STATES = ["running", "stopped", "creating", "failed", "interrupted", "cleanup_required", "deleted"];

/** Every VM (issue 12): filters, a search, pages, and the owner's actions for admins. */
export default async function AdminVmsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePermission("admin.manage");
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const key of FIELDS) {
    const value = raw[key];
    const one = Array.isArray(value) ? value[0] : value;
    if (one) params.set(key, one);
  }
  let result: { vms: AdminVmRow[]; nextCursor: string | null; currency: string | null } = { vms: [], nextCursor: null, currency: null };
  let problem: string | null = null;
  try {
    result = await listAllVms(Object.fromEntries(params));
  } catch (error) {
    if (!isAppError(error) || error.code !== "bad_request") throw error;
    problem = error.message;
  }
  const [providers, teams] = await Promise.all([
    db().providerConnection.findMany({ select: { name: true }, orderBy: { name: "asc" } }),
    db().team.findMany({ select: { name: true }, orderBy: { name: "asc" } }),
  ]);
  const next = new URLSearchParams(params);
  next.delete("cursor");
  const newest = next.toString();
  if (result.nextCursor) next.set("cursor", result.nextCursor);
  return (
    <>
      <PageHeader title="VMs" description="Every VM of every user: where it runs, its size and what it costs this month. Act on one as its owner would." />
      <FilterForm action="/admin/vms" label="Find VMs" columns={6} clearHref="/admin/vms">
        <FilterInput label="Search" name="q" value={params.get("q")} placeholder="VM name, owner email, provider id" wide />
        <FilterSelect label="State" name="status" value={params.get("status")} any="Any (not deleted)" options={STATES.map((s) => ({ value: s, label: s.replace("_", " ") }))} />
        <FilterSelect label="Provider" name="provider" value={params.get("provider")} options={providers.map((p) => ({ value: p.name, label: p.name }))} />
        <FilterSelect label="Team" name="team" value={params.get("team")} options={teams.map((t) => ({ value: t.name, label: t.name }))} />
        <FilterSelect
          label="GPU"
          name="gpu"
          value={params.get("gpu")}
          options={[
            { value: "yes", label: "With GPU" },
            { value: "no", label: "Without" },
          ]}
        />
      </FilterForm>
      {problem ? (
        <Alert tone="error">{problem}</Alert>
      ) : result.vms.length === 0 ? (
        <EmptyState title="No VMs here" description="Nothing matches this search and these filters." />
      ) : (
        <AdminVmTable vms={result.vms} currency={result.currency} />
      )}
      <nav aria-label="Pages" className="mt-3 flex justify-between text-sm">
        {params.has("cursor") ? (
          <Link href={`/admin/vms?${newest}`} className="text-indigo-700 hover:underline">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {result.nextCursor ? (
          <Link href={`/admin/vms?${next.toString()}`} className="text-indigo-700 hover:underline">
            Older →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
