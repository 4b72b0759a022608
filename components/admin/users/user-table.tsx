"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import type { UserRow } from "@/lib/admin/users/views";
import { adminColumns, DataTable } from "../data-table";

const of = (used: number, limit: number | null) => (limit === null ? `${used}` : `${used}/${limit}`);

const col = adminColumns<UserRow>();
const columns = col.columns([
  // The value holds the name too, so that the search box finds people by name.
  col.accessor((u) => `${u.email} ${u.name}`, {
    id: "user",
    header: "User",
    cell: (c) => (
      <span>
        <Link href={`/admin/users/${c.row.original.id}`} className="font-medium text-indigo-700 hover:underline">
          {c.row.original.email}
        </Link>
        {c.row.original.name ? <span className="block text-xs text-slate-500">{c.row.original.name}</span> : null}
      </span>
    ),
  }),
  col.accessor("role", {
    header: "Role",
    cell: (c) => <Badge tone={c.getValue() === "admin" ? "blue" : c.getValue() === "support" ? "yellow" : "gray"}>{c.getValue()}</Badge>,
  }),
  col.accessor((u) => u.plan ?? "", {
    id: "plan",
    header: "Plan",
    cell: (c) => (
      <span>
        {c.getValue() || <span className="text-amber-700">none</span>}
        {c.row.original.overrides ? <span className="ml-1 text-xs text-slate-500">+{c.row.original.overrides} override{c.row.original.overrides === 1 ? "" : "s"}</span> : null}
      </span>
    ),
  }),
  col.accessor((u) => u.team ?? "", { id: "team", header: "Team", cell: (c) => c.getValue() || <span className="text-slate-500">—</span> }),
  col.accessor((u) => u.usage.vms, {
    id: "usage",
    header: "Usage",
    cell: (c) => {
      const u = c.row.original.usage;
      return (
        <span className="text-xs">
          {of(u.vms, u.vmsLimit)} VMs · {of(u.cpuCores, u.cpuCoresLimit)} vCPU
          {u.runningMonthlyCost ? (
            <span className="block text-slate-500">
              {u.runningMonthlyCost.toFixed(2)} {u.currency}/month
            </span>
          ) : null}
        </span>
      );
    },
  }),
  col.accessor((u) => (u.disabled ? "disabled" : "active"), {
    id: "status",
    header: "Status",
    cell: (c) => <Badge tone={c.getValue() === "active" ? "green" : "red"}>{c.getValue()}</Badge>,
  }),
  col.accessor((u) => u.lastLoginAt ?? "", { id: "lastLogin", header: "Last sign-in", cell: (c) => <span className="text-xs">{c.getValue() ? <Time value={c.getValue()} relative /> : "never"}</span> }),
]);

export function UserTable({ users }: { users: UserRow[] }) {
  return (
    <DataTable
      label="Users"
      data={users}
      columns={columns}
      search="Search users…"
      rowId={(u) => u.id}
      initialSort={[{ id: "user", desc: false }]}
    />
  );
}
