import type { AuthenticatedUser } from "../auth/credentials";
import { AppError } from "../errors";
import { money } from "../pricing/rental";
import { PROVIDER_CATALOG } from "../providers/catalog";
import { providerFor } from "../providers/registry";
import type { CreateRequest, JsonObject, ProviderTemplate } from "../providers/types";
import { quoteContext } from "./quote-context";
import { parseGpuOrder } from "../schemas/gpu-order";
import { canUseTemplate, findTemplate } from "../templates/access";
import { priceGpuOrder, resolveOffer } from "./gpu-offer";
import { TEMPLATE_FORBIDDEN, TEMPLATE_NOT_FOUND } from "./create-vm";

/**
 * The price of a GPU order before commit, for the wizard (issue 11, item 2): the same offer
 * checks and the same prices a create would be accepted at (lib/vms/gpu-offer.ts), as amounts
 * rounded to cents for display (hourly rates to 4 places). Nothing is written.
 */
export type GpuQuoteView = {
  currency: string;
  /** The sizes that are built (the offer's where sizes come with it). */
  size: { cpuCores: number; memoryMb: number; diskGb: number };
  hourly: { gpu: string; storage: string; total: string };
  onDemandHourly: string;
  /** 730 h at the hourly total; a reservation: its monthly cost. */
  monthly: string;
  /** What counts against a monthly spend limit (a reservation: its whole term). */
  commitment: string;
  reserved: { months: number; discountPercent: string; deposit: string; monthlyCost: string; cancellationFee: string; termCost: string; source: "provider" | "rules" } | null;
  interruptible: { savingHourly: string; savingPercent: string; savingMonthly: string; warning: string } | null;
};

export type QuoteGpuInput = { template_id: string; target?: string; diskSize: number; cpuCores?: number; memorySize?: number } & Record<string, unknown>;

export async function quoteGpuOrder(user: AuthenticatedUser, raw: unknown): Promise<GpuQuoteView> {
  if (typeof raw !== "object" || raw === null) throw new AppError("bad_request", "A quote needs template_id, diskSize and gpuType");
  const record = raw as Record<string, unknown>;
  const templateId = typeof record.template_id === "string" ? record.template_id : "";
  const diskGb = Number.isInteger(record.diskSize) && (record.diskSize as number) > 0 ? (record.diskSize as number) : null;
  if (!templateId || diskGb === null) throw new AppError("bad_request", "A quote needs template_id and diskSize (a whole number of GB)");
  const parsed = parseGpuOrder(record);
  if (!parsed.ok) throw new AppError("bad_request", parsed.message);
  const order = parsed.order;
  if (!order.gpu) throw new AppError("bad_request", "A quote needs gpuType");
  const [template, { teamId, plan, prices, currency }] = await Promise.all([findTemplate(templateId), quoteContext(user.id)]);
  if (!template) throw new AppError("not_found", TEMPLATE_NOT_FOUND);
  if (!canUseTemplate({ id: user.id, teamId }, template)) throw new AppError("forbidden", TEMPLATE_FORBIDDEN);
  const capabilities = PROVIDER_CATALOG[template.provider.kind].capabilities;
  const client = providerFor(template.provider);
  const templateRef: ProviderTemplate = { ref: { id: template.providerRefId, data: template.providerRef as JsonObject }, settings: template.settings as Record<string, unknown>, ciuser: template.ciuser, name: template.name };
  const offers = capabilities.gpus.offered && client.gpuOffers ? await client.gpuOffers(templateRef) : null;
  const whole = (v: unknown) => (Number.isInteger(v) && (v as number) > 0 && (v as number) <= 1_048_576 ? (v as number) : null);
  const size = { cpuCores: whole(record.cpuCores) ?? template.minCpuCores, memoryMb: whole(record.memorySize) ?? template.minMemoryMb, diskGb, gpus: {} };
  // Where sizes come with the offer, the offer's are built (the asked ones only must not exceed
  // them: none asked here); elsewhere the asked cores and memory are priced with the GPUs.
  const resolved = resolveOffer({ templateName: template.name, capabilities, plan, offers, order, size: capabilities.sizes === "offers" ? { ...size, cpuCores: 1, memoryMb: 1 } : size })!;
  const request: CreateRequest = {
    name: "quote",
    template: templateRef,
    size: resolved.size,
    rental: { type: order.planRentalType, ...(order.rental.autoRestart !== undefined ? { autoRestart: order.rental.autoRestart } : {}) },
    options: typeof record.target === "string" && record.target ? { target: record.target } : {},
    cloudInit: {},
  };
  const p = await priceGpuOrder(client, request, resolved.offer, { ...order, gpu: order.gpu }, resolved.size, prices);
  const q = p.quote;
  const rate = (v: { toString(): string }) => money(v.toString(), 4);
  return {
    currency: p.currency ?? currency,
    size: { cpuCores: resolved.size.cpuCores, memoryMb: resolved.size.memoryMb, diskGb: resolved.size.diskGb },
    hourly: { gpu: rate(p.gpuHourly), storage: rate(p.storageHourly), total: rate(p.gpuHourly.plus(p.storageHourly)) },
    onDemandHourly: rate(q.onDemandHourly.total),
    monthly: money(q.monthly),
    commitment: money(p.committed),
    reserved: q.reserved
      ? {
          months: q.reserved.months,
          discountPercent: q.reserved.discountPercent.toString(),
          deposit: money(q.reserved.deposit),
          monthlyCost: money(q.reserved.monthlyCost),
          cancellationFee: money(q.reserved.cancellationFee),
          termCost: money(q.reserved.termCost),
          source: q.reserved.source,
        }
      : null,
    interruptible: q.interruptible
      ? { savingHourly: rate(q.interruptible.savingHourly), savingPercent: q.interruptible.savingPercent.toString(), savingMonthly: money(q.interruptible.savingMonthly), warning: q.interruptible.warning }
      : null,
  };
}
