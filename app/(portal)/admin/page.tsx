import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requirePermission } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  await requirePermission("admin.manage");
  const [users, providers, templates, plans, audit] = await Promise.all([
    db().user.findMany({ orderBy: { email: "asc" }, include: { plan: { select: { name: true } } } }),
    db().providerConnection.count(),
    db().template.count(),
    db().plan.count(),
    db().auditEvent.findMany({ orderBy: { at: "desc" }, take: 15 }),
  ]);
  const stats = [
    ["Users", users.length],
    ["Providers", providers],
    ["Templates", templates],
    ["Plans", plans],
  ] as const;
  return (
    <>
      <PageHeader title="Admin" description="Providers, templates, plans, quotas and people." />
      <dl className="mb-8 grid grid-cols-2 gap-4 sm:grid-cols-4">
        {stats.map(([label, value]) => (
          <div key={label} className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-xs">
            <dt className="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
            <dd className="mt-1 text-2xl font-semibold text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
      <h2 className="mb-3 text-base font-semibold text-slate-900">Users</h2>
      <Table label="Users">
        <thead>
          <tr>
            <Th>Email</Th>
            <Th>Name</Th>
            <Th>Role</Th>
            <Th>Plan</Th>
            <Th>Status</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {users.map((u) => (
            <tr key={u.id}>
              <Td className="font-medium text-slate-900">{u.email}</Td>
              <Td>{u.name || "—"}</Td>
              <Td>
                <Badge tone={u.role === "admin" ? "blue" : u.role === "support" ? "yellow" : "gray"}>{u.role}</Badge>
              </Td>
              <Td>{u.plan?.name ?? "—"}</Td>
              <Td>{u.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <Card className="mt-8">
        <CardHeader title="Recent changes" description="The audit log: who changed what." />
        {audit.length === 0 ? (
          <p className="px-5 py-4 text-sm text-slate-500">Nothing has changed yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {audit.map((a) => (
              <li key={a.id} className="flex justify-between gap-4 px-5 py-2.5">
                <span>
                  <span className="font-medium text-slate-900">{a.actorEmail}</span> <span className="text-slate-600">{a.action}</span>{" "}
                  <span className="font-mono text-xs text-slate-400">{a.targetId}</span>
                </span>
                <time className="text-xs text-slate-500">{a.at.toISOString().replace("T", " ").slice(0, 19)}</time>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
