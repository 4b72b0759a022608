import type { Metadata } from "next";
import Link from "next/link";
import { AdminVmTable } from "@/components/admin/vms/vm-table";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Select } from "@/components/ui/select";
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
      <form method="get" action="/admin/vms" role="search" aria-label="Find VMs" className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-6">
        <label className="text-xs font-medium text-slate-600 sm:col-span-2">
          Search
          <Input name="q" defaultValue={params.get("q") ?? ""} placeholder="VM name, owner email, provider id" className="mt-1" />
        </label>
        <label className="text-xs font-medium text-slate-600">
          State
          <Select name="status" defaultValue={params.get("status") ?? ""} className="mt-1">
            <option value="">Any (not deleted)</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          Provider
          <Select name="provider" defaultValue={params.get("provider") ?? ""} className="mt-1">
            <option value="">Any</option>
            {providers.map((p) => (
              <option key={p.name}>{p.name}</option>
            ))}
          </Select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          Team
          <Select name="team" defaultValue={params.get("team") ?? ""} className="mt-1">
            <option value="">Any</option>
            {teams.map((t) => (
              <option key={t.name}>{t.name}</option>
            ))}
          </Select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          GPU
          <Select name="gpu" defaultValue={params.get("gpu") ?? ""} className="mt-1">
            <option value="">Any</option>
            <option value="yes">With GPU</option>
            <option value="no">Without</option>
          </Select>
        </label>
        <div className="flex items-end gap-2 sm:col-span-6">
          <button type="submit" className={buttonClass("primary")}>
            Search
          </button>
          <Link href="/admin/vms" className={buttonClass("ghost")}>
            Clear
          </Link>
        </div>
      </form>
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
