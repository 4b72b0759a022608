import type { Metadata } from "next";
import Link from "next/link";
import { AuditFilterForm } from "@/components/admin/audit/audit-filter";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { show, type Change } from "@/lib/admin/audit/diff";
import { auditFacets, listAuditEvents, type AuditEventView } from "@/lib/admin/audit/list-events";
import { auditFilterSchema, type AuditFilter } from "@/lib/schemas/admin";
import { Time } from "@/components/ui/time";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Audit log · Admin" };

const KIND_TONE = { create: "green", update: "blue", delete: "red", event: "gray" } as const;
const TARGET_PAGES: Record<string, string> = { provider: "providers", template: "templates", plan: "plans", team: "teams", user: "users" };

const SHOWN = 8;

function ChangeList({ kind, changes }: { kind: AuditEventView["kind"]; changes: Change[] }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 font-mono text-xs">
      {changes.map((c) => (
        <div key={c.key} className="contents">
          <dt className="text-slate-500">{c.key}</dt>
          <dd className="break-all">
            {c.context ? (
              <span className="text-slate-600" title="The state it happened in (unchanged)">
                {show(c.before)}
              </span>
            ) : (
              <>
                {kind === "create" || c.before === undefined ? null : <span className={cn("text-red-700", kind === "update" && "line-through decoration-red-300")}>{show(c.before)}</span>}
                {kind === "update" && c.before !== undefined ? <span className="text-slate-500"> → </span> : null}
                {kind === "delete" ? null : <span className="text-emerald-700">{show(c.after)}</span>}
              </>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Only the changed keys; a creation's or deletion's long list folds after the first few. */
function Changes({ kind, changes }: { kind: AuditEventView["kind"]; changes: Change[] }) {
  if (changes.length <= SHOWN + 2) return <ChangeList kind={kind} changes={changes} />;
  return (
    <>
      <ChangeList kind={kind} changes={changes.slice(0, SHOWN)} />
      <details className="mt-0.5">
        <summary className="cursor-pointer text-xs text-indigo-700">{changes.length - SHOWN} more</summary>
        <ChangeList kind={kind} changes={changes.slice(SHOWN)} />
      </details>
    </>
  );
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePermission("admin.manage");
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, first(v)]));
  const parsed = auditFilterSchema.safeParse(raw);
  const filter: AuditFilter = parsed.success ? parsed.data : { actor: "", action: "", targetType: "", page: 1 };
  const [{ events, total, page, pageCount }, facets] = await Promise.all([listAuditEvents(filter), auditFacets()]);
  const link = (p: number) => {
    const q = new URLSearchParams();
    for (const key of ["actor", "action", "targetType", "from", "to"] as const) if (filter[key]) q.set(key, filter[key]!);
    if (p > 1) q.set("page", String(p));
    return q.size ? `/admin/audit?${q}` : "/admin/audit";
  };
  return (
    <>
      <PageHeader title="Audit log" description="Every change made in the console, by the configuration file and by the CLI: who, what, and what changed." />
      <div className="space-y-5">
        <AuditFilterForm
          start={{ actor: filter.actor, action: filter.action, targetType: filter.targetType, from: filter.from ?? "", to: filter.to ?? "", page: 1 }}
          facets={facets}
        />
        {parsed.success ? null : <Alert tone="warning">Some filters were not understood and are ignored: {parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}</Alert>}
        {events.length === 0 ? (
          <EmptyState title="No matching changes" description="Nothing in the audit log matches these filters." />
        ) : (
          <Table label="Audit log">
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>Action</Th>
                <Th>Target</Th>
                <Th>Changes</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 align-top">
              {events.map((e) => {
                const page = TARGET_PAGES[e.targetType];
                return (
                  <tr key={e.id}>
                    <Td label="When" className="text-xs">
                      <Time value={e.at} />
                    </Td>
                    <Td label="Who" className="break-all whitespace-normal">
                      <span className="font-medium text-slate-900">{e.actorEmail}</span>
                      {e.ip ? <span className="block text-xs text-slate-500">{e.ip}</span> : null}
                    </Td>
                    <Td label="Action">
                      <Badge tone={KIND_TONE[e.kind]}>{e.action}</Badge>
                    </Td>
                    <Td label="Target" className="text-xs">
                      <span className="text-slate-500">{e.targetType}</span>
                      {e.targetId ? (
                        page && e.kind !== "delete" ? (
                          <Link href={`/admin/${page}/${e.targetId}`} title={e.targetId} className="block font-medium text-indigo-700 hover:underline">
                            {e.targetLabel ?? e.targetId.slice(0, 8)}
                          </Link>
                        ) : (
                          <span title={e.targetId} className="block text-slate-700">
                            {e.targetLabel ?? e.targetId.slice(0, 8)}
                          </span>
                        )
                      ) : null}
                    </Td>
                    <Td label="Changes" className="whitespace-normal">
                      {e.changes.length === 0 ? (
                        <span className="text-xs text-slate-500">no changes</span>
                      ) : (
                        <Changes kind={e.kind} changes={e.changes} />
                      )}
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        <nav aria-label="Audit log pages" className="flex items-center justify-between text-sm text-slate-600">
          <span>
            {total} change{total === 1 ? "" : "s"} · page {page} of {pageCount}
          </span>
          <span className="flex gap-2">
            {page > 1 ? (
              <Link href={link(page - 1)} className={buttonClass("secondary", "sm")}>
                Previous
              </Link>
            ) : null}
            {page < pageCount ? (
              <Link href={link(page + 1)} className={buttonClass("secondary", "sm")}>
                Next
              </Link>
            ) : null}
          </span>
        </nav>
      </div>
    </>
  );
}
