"use client";

import Link from "next/link";
import { adminColumns, DataTable } from "../data-table";

type TeamRow = { id: string; name: string; description: string; plan: { id: string; name: string } | null; members: number; templates: number };

const col = adminColumns<TeamRow>();
const columns = col.columns([
  col.accessor("name", {
    header: "Name",
    cell: (c) => (
      <Link href={`/admin/teams/${c.row.original.id}`} className="font-medium text-indigo-700 hover:underline">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor("description", { header: "Description", cell: (c) => <span className="whitespace-normal">{c.getValue() || "—"}</span> }),
  col.accessor((t) => t.plan?.name ?? "", { id: "plan", header: "Team plan", cell: (c) => c.getValue() || <span className="text-slate-500">none</span> }),
  col.accessor("members", { header: "Members" }),
  col.accessor("templates", { header: "Templates granted" }),
]);

export function TeamTable({ teams }: { teams: TeamRow[] }) {
  return <DataTable label="Teams" data={teams} columns={columns} search="Search teams…" rowId={(t) => t.id} initialSort={[{ id: "name", desc: false }]} />;
}
