import { db } from "../db/client";
import { AppError } from "../errors";
import { Decimal, money } from "../pricing/rental";
import { monthWindow, vmCost } from "../pricing/vm-cost";

/**
 * Showback (issue 11, item 6): what each rated rental (GPU machine) of a user or a team cost in a
 * calendar month (UTC), from its state spans at the rates it was accepted with (GPU time while
 * running, storage while it exists), as CSV: one row per VM and a total row. VMs deleted during
 * the month are included. For support and admins (GET /api/v1/showback, /support/showback).
 */
export const SHOWBACK_COLUMNS = [
  "month",
  "owner",
  "team",
  "vm_id",
  "vm_name",
  "provider",
  "gpu_type",
  "gpu_count",
  "rental_type",
  "gpu_hourly",
  "storage_hourly",
  "running_hours",
  "existing_hours",
  "gpu_cost",
  "storage_cost",
  "total_cost",
  "currency",
] as const;

export type ShowbackQuery = { month?: string; user?: string; team?: string };

/** A CSV field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is neutralised (spreadsheet formulas). */
function field(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Parses the query: `month` YYYY-MM (default: this month) and exactly one of `user` (e-mail or id) and `team` (name or id); a 400 otherwise. */
export async function showbackCsv(query: ShowbackQuery, now: Date = new Date()): Promise<{ filename: string; csv: string }> {
  let month: ReturnType<typeof monthWindow>;
  try {
    month = monthWindow(query.month || undefined, now);
  } catch {
    throw new AppError("bad_request", "month must be YYYY-MM, e.g. 2026-11");
  }
  if (Boolean(query.user) === Boolean(query.team)) throw new AppError("bad_request", "Give exactly one of user (e-mail or id) and team (name or id)");
  let scope: { where: { ownerId: string } | { owner: { teamId: string } }; name: string };
  if (query.user) {
    const user = await db().user.findFirst({ where: { OR: [{ email: query.user.toLowerCase() }, { id: query.user }] }, select: { id: true, email: true } });
    if (!user) throw new AppError("not_found", "User not found");
    scope = { where: { ownerId: user.id }, name: user.email };
  } else {
    const team = await db().team.findFirst({ where: { OR: [{ name: query.team! }, { id: query.team! }] }, select: { id: true, name: true } });
    if (!team) throw new AppError("not_found", "Team not found");
    scope = { where: { owner: { teamId: team.id } }, name: `team-${team.name}` };
  }
  const [vms, currencySetting] = await Promise.all([
    db().vm.findMany({
      where: { ...scope.where, gpuHourly: { not: null }, createdAt: { lt: month.to }, OR: [{ deletedAt: null }, { deletedAt: { gte: month.from } }] },
      orderBy: { createdAt: "asc" },
      include: {
        owner: { select: { email: true, team: { select: { name: true } } } },
        provider: { select: { name: true } },
        spans: { where: { startedAt: { lt: month.to }, OR: [{ endedAt: null }, { endedAt: { gt: month.from } }] }, select: { state: true, startedAt: true, endedAt: true } },
      },
    }),
    db().setting.findUnique({ where: { key: "currency" } }),
  ]);
  const currency = typeof currencySetting?.value === "string" ? currencySetting.value : "EUR";
  const lines = [SHOWBACK_COLUMNS.join(",")];
  let total = new Decimal(0);
  for (const vm of vms) {
    const cost = vmCost(vm, month, now)!;
    total = total.plus(cost.total);
    lines.push(
      [
        month.month,
        vm.owner.email,
        vm.owner.team?.name ?? "",
        vm.id,
        vm.name,
        vm.provider.name,
        vm.gpuType ?? "",
        String(vm.gpuCount),
        vm.rentalType,
        vm.gpuHourly!.toString(),
        (vm.storageHourly ?? 0).toString(),
        cost.runningHours.toFixed(2),
        cost.existingHours.toFixed(2),
        money(cost.gpu),
        money(cost.storage),
        money(cost.total),
        currency,
      ]
        .map(field)
        .join(","),
    );
  }
  lines.push([month.month, "total", "", "", "", "", "", "", "", "", "", "", "", "", "", money(total), currency].map(field).join(","));
  return { filename: `showback-${scope.name.replace(/[^A-Za-z0-9._@-]+/g, "_")}-${month.month}.csv`, csv: `${lines.join("\r\n")}\r\n` };
}
