import type { Metadata } from "next";
import { Card, CardBody } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";
import { monthWindow } from "@/lib/pricing/vm-cost";

export const metadata: Metadata = { title: "Showback" };

/** Support and admins: download a month's cost of a user's or a team's GPU rentals as CSV (GET /api/v1/showback). */
export default async function ShowbackPage() {
  await requirePermission("tasks.monitor");
  const [users, teams] = await Promise.all([
    db().user.findMany({ orderBy: { email: "asc" }, select: { email: true } }),
    db().team.findMany({ orderBy: { name: "asc" }, select: { name: true } }),
  ]);
  const month = monthWindow().month;
  const select = "block w-full rounded-md border-0 bg-white px-3 py-2 text-sm shadow-xs ring-1 ring-inset ring-slate-300";
  return (
    <>
      <PageHeader title="Showback" description="What GPU rentals cost in a month (UTC), per VM: GPU time while running and storage while it exists, at the rates each VM was accepted with. CSV." />
      <div className="grid gap-6 lg:grid-cols-2">
        {(
          [
            ["user", "Per user", users.map((u) => u.email)],
            ["team", "Per team", teams.map((t) => t.name)],
          ] as const
        ).map(([key, title, names]) => (
          <Card key={key}>
            <CardBody className="p-6">
              <form method="get" action="/api/v1/showback" className="space-y-3">
                <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
                <select name={key} aria-label={title} className={select} required>
                  {names.map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
                <input type="month" name="month" defaultValue={month} aria-label="Month" className={select} required />
                <button type="submit" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500" disabled={names.length === 0}>
                  Download CSV
                </button>
              </form>
            </CardBody>
          </Card>
        ))}
      </div>
    </>
  );
}
