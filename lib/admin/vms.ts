import { z } from "zod";
import { db, type Db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { monthlyCost, type PriceTable } from "../pricing/cost";
import { monthWindow, vmCost } from "../pricing/vm-cost";
import { Decimal } from "../pricing/rental";
import { PROVIDER_CATALOG } from "../providers/catalog";
import { providerFor } from "../providers/registry";
import type { JsonObject, ProviderClient, ProviderKind, VmAction } from "../providers/types";
import { allowedActions } from "../vms/action-rules";
import { loadPrices } from "../quota/context";
import { sizeOf } from "../schemas/size";

/**
 * The admin's view of every VM (issue 12): owner, team, provider, placement, state, size, GPU
 * and its cost this month, with filters, a search and keyset pages (newest first). Deleted VMs
 * are left out unless asked for (`status=deleted`).
 */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === "" || v === null ? undefined : v), s.optional());

export const adminVmQuerySchema = z
  .object({
    q: opt(z.string().trim().max(200, "q must be at most 200 characters")),
    status: opt(z.string().trim().max(40, "status must be at most 40 characters")),
    provider: opt(z.string().trim().max(200)),
    team: opt(z.string().trim().max(200)),
    owner: opt(z.string().trim().max(320)),
    gpu: opt(z.enum(["yes", "no"], { message: "gpu must be yes or no" })),
    cursor: opt(z.string().max(300)),
    limit: opt(z.coerce.number().int().min(1).max(200)),
  })
  .strict();
export type AdminVmQuery = z.input<typeof adminVmQuerySchema>;

export type AdminVmRow = {
  id: string;
  name: string;
  status: string;
  owner: { id: string; email: string };
  team: { id: string; name: string } | null;
  provider: { name: string; kind: string };
  /** Where the VM runs (e.g. a host), as its provider kind names it; null when unknown. */
  placement: string | null;
  /** The provider's short id of the VM. */
  providerRefId: string | null;
  size: { cpuCores: number; memoryMb: number; diskGb: number };
  gpu: { count: number; type: string | null } | null;
  /**
   * Its cost this month so far, as a decimal string in the portal's currency. A rated VM (a GPU
   * rental with hourly rates) accrues from its state history as the VM page and the showback
   * count it (lib/pricing/vm-cost: GPU time while running, storage always); any other VM is the
   * month's share of its monthly price from its creation (or the month's start) to now (or its
   * deletion). `costBasis` says which.
   */
  costThisMonth: string;
  costBasis: "accrued" | "estimate";
  createdAt: string;
  deleted: boolean;
  /** The actions its state and its provider kind allow now (lib/vms/action-rules; the server checks again, with running tasks). */
  actions: VmAction[];
};

const cursorOf = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
function parseCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const date = new Date(at ?? "");
  if (!id || Number.isNaN(date.getTime())) throw new AppError("bad_request", "cursor is not valid (use the link to the next page)");
  return { at: date, id };
}

/** The month's share of a VM's monthly price at today's prices, from its creation (or the month's start) to now (or its deletion). */
function estimatedCost(vm: Db.Vm, month: { from: Date; to: Date }, now: Date, prices: PriceTable): Decimal {
  const from = Math.max(vm.createdAt.getTime(), month.from.getTime());
  const to = Math.min((vm.deletedAt ?? now).getTime(), now.getTime());
  return new Decimal(monthlyCost(sizeOf(vm), prices)).mul(Math.max(0, to - from)).div(month.to.getTime() - month.from.getTime());
}

/**
 * A page of every VM for an admin: `query` filters (state, provider name, team name, owner
 * email, with or without GPU) and searches (a fragment of the VM's name or owner's email, or the
 * provider's id of the VM). 400 for a malformed query.
 */
export async function listAllVms(query: unknown, now = new Date()): Promise<{ vms: AdminVmRow[]; nextCursor: string | null; currency: string | null }> {
  const parsed = adminVmQuerySchema.safeParse(query);
  if (!parsed.success) throw new AppError("bad_request", parsed.error.issues.map((i) => i.message).join("; "));
  const p = parsed.data;
  const limit = p.limit ?? 50;
  const and: Db.Prisma.VmWhereInput[] = [];
  if (p.status === "deleted") and.push({ deletedAt: { not: null } });
  else {
    and.push({ deletedAt: null });
    if (p.status) and.push({ status: p.status });
  }
  if (p.provider) and.push({ provider: { name: p.provider } });
  if (p.team) and.push({ owner: { team: { name: p.team } } });
  if (p.owner) and.push({ owner: { email: p.owner.toLowerCase() } });
  if (p.gpu === "yes") and.push({ gpuCount: { gt: 0 } });
  if (p.gpu === "no") and.push({ gpuCount: 0 });
  if (p.q) and.push({ OR: [{ name: { contains: p.q, mode: "insensitive" } }, { owner: { email: { contains: p.q, mode: "insensitive" } } }, { providerRefId: p.q }] });
  if (p.cursor) {
    const c = parseCursor(p.cursor);
    and.push({ OR: [{ createdAt: { lt: c.at } }, { createdAt: c.at, id: { lt: c.id } }] });
  }
  const month = monthWindow(undefined, now);
  const [rows, prices, currency] = await Promise.all([
    db().vm.findMany({
      where: { AND: and },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit + 1,
      include: {
        owner: { select: { id: true, email: true, team: { select: { id: true, name: true } } } },
        provider: true,
        // Only the spans that can touch this month (an open one, or one that ended in it).
        spans: { where: { OR: [{ endedAt: null }, { endedAt: { gt: month.from } }], startedAt: { lt: month.to } } },
      },
    }),
    loadPrices(db()),
    db().setting.findUnique({ where: { key: "currency" } }),
  ]);
  const clients = new Map<string, ProviderClient | null>();
  const clientOf = (row: Db.ProviderConnection) => {
    if (!clients.has(row.id)) {
      try {
        clients.set(row.id, providerFor(row));
      } catch (error) {
        log.warn({ provider: row.name, err: error instanceof Error ? error.message : String(error) }, "admin VM list: no client for the provider");
        clients.set(row.id, null);
      }
    }
    return clients.get(row.id) ?? null;
  };
  const page = rows.slice(0, limit);
  const vms = page.map((vm): AdminVmRow => {
    const client = clientOf(vm.provider);
    const ref = vm.providerRef !== null && vm.providerRefId !== null ? { id: vm.providerRefId, data: vm.providerRef as JsonObject } : null;
    const accrued = vmCost(vm, month, now);
    const cost = accrued ? new Decimal(accrued.total) : estimatedCost(vm, month, now, prices);
    return {
      id: vm.id,
      name: vm.name,
      status: vm.status,
      owner: { id: vm.owner.id, email: vm.owner.email },
      team: vm.owner.team,
      provider: { name: vm.provider.name, kind: vm.provider.kind },
      placement: client && ref ? client.homeOf(ref) : null,
      providerRefId: vm.providerRefId,
      size: { cpuCores: vm.cpuCores, memoryMb: vm.memoryMb, diskGb: vm.diskGb },
      gpu: vm.gpuCount > 0 ? { count: vm.gpuCount, type: vm.gpuType } : null,
      costThisMonth: cost.toFixed(2),
      costBasis: accrued ? "accrued" : "estimate",
      createdAt: vm.createdAt.toISOString(),
      deleted: vm.deletedAt !== null,
      actions: vm.deletedAt ? [] : allowedActions(vm.status, false, PROVIDER_CATALOG[vm.provider.kind as ProviderKind].capabilities.actions),
    };
  });
  const last = page[page.length - 1];
  const value = currency?.value;
  return { vms, nextCursor: rows.length > limit && last ? cursorOf(last.createdAt, last.id) : null, currency: typeof value === "string" ? value : null };
}
