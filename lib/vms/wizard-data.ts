import { z } from "zod";
import type { AuthenticatedUser } from "../auth/credentials";
import { db } from "../db/client";
import { log } from "../log";
import { PROVIDER_CATALOG } from "../providers/catalog";
import { providerFor } from "../providers/registry";
import type { JsonObject, Placement, ProviderCapabilities, ProviderClient } from "../providers/types";
import { loadPrices } from "../quota/context";
import type { PerVmDimension } from "../quota/rules";
import { quotaSummary, type Limits } from "../quota/summary";
import { add, type Resources } from "../quota/usage";
import type { PriceTable } from "../pricing/cost";
import { RENTAL_TYPES } from "../schemas/catalog";
import { listUsableTemplates } from "../templates/access";
import { quoteContext } from "./quote-context";
import { templateOffers, type OfferView } from "./template-offers";

export type WizardTemplate = {
  id: string;
  name: string;
  os: string;
  description: string;
  provider: string;
  /** The word for a placement (e.g. "Node"), from the provider kind's capabilities. */
  placementLabel: string;
  /** The template's own placement (suggested first), if its kind has one. */
  home: string | null;
  /** Placements where a VM of this template can be made now. */
  placements: string[];
  /** The other placements, each with why not (shown disabled). */
  unavailable: { name: string; reason: string }[];
  ciuser: string | null;
  min: { cpuCores: number; memoryMb: number; diskGb: number };
  defaults: { cpuCores: number; memoryMb: number; diskGb: number };
  /**
   * GPU offers when the template's provider offers GPUs (null: none; [] when the provider could
   * not say now); `sizesFromOffers`: cores and memory come with the offer (shown, not typed).
   */
  gpu: { offers: OfferView[]; sizesFromOffers: boolean } | null;
  /** The provider kind's name and what its first-boot setup takes (most SSH keys; custom user-data, or why not). */
  kindLabel: string;
  cloudInit: ProviderCapabilities["cloudInit"];
};

/** One aggregate quota the request must fit: the user's plan, or their team's. */
export type WizardScope = { label: string; team?: string; limits: Limits; used: Resources };

export type WizardData = {
  templates: WizardTemplate[];
  planName: string | null;
  perVm: Record<PerVmDimension, number> | null;
  scopes: WizardScope[];
  prices: PriceTable;
  currency: string;
  sshKeys: { id: string; name: string; fingerprint: string }[];
  /** The plan's GPU types and rental types (empty: all). */
  allowedGpuTypes: string[];
  allowedRentalTypes: string[];
};

/** Everything the New VM wizard shows: usable templates (with their provider's placements), limits, usage, keys. */
export async function wizardData(user: AuthenticatedUser): Promise<WizardData> {
  const [templates, quota, prices, sshKeys, plan] = await Promise.all([
    listUsableTemplates(user),
    quotaSummary(user.id),
    loadPrices(db()),
    db().sshKey.findMany({ where: { userId: user.id }, orderBy: { createdAt: "asc" }, select: { id: true, name: true, fingerprint: true } }),
    quoteContext(user.id),
  ]);
  const offers = await templateOffers(templates, prices);
  const clients = new Map<string, ProviderClient>();
  for (const providerId of new Set(templates.map((t) => t.providerId))) {
    const row = await db().providerConnection.findUniqueOrThrow({ where: { id: providerId } });
    clients.set(providerId, providerFor(row));
  }
  // Per template: where a VM of it can be made, and why not elsewhere (the provider decides).
  const placementsByTemplate = new Map<string, Placement[]>();
  await Promise.all(
    templates.map(async (t) => {
      try {
        const client = clients.get(t.providerId);
        if (client) placementsByTemplate.set(t.id, await client.placements({ id: t.providerRefId, data: t.providerRef as JsonObject }));
      } catch (error) {
        log.warn({ provider: t.provider.name, template: t.name, err: error instanceof Error ? error.message : String(error) }, "could not list placements for the wizard");
      }
    }),
  );
  // Per template: the smallest size its provider can build from it (e.g. its real disk), so that
  // the wizard's minimums and defaults are never refused by the provider's checks at accept.
  const floors = new Map<string, Partial<Record<"cpuCores" | "memoryMb" | "diskGb", number>>>();
  await Promise.all(
    templates.map(async (t) => {
      try {
        const floor = await clients.get(t.providerId)?.templateFloor?.({ id: t.providerRefId, data: t.providerRef as JsonObject });
        if (floor) floors.set(t.id, floor);
      } catch (error) {
        log.warn({ provider: t.provider.name, template: t.name, err: error instanceof Error ? error.message : String(error) }, "could not read the template's size for the wizard");
      }
    }),
  );
  const scopes: WizardScope[] = [];
  if (quota.user) scopes.push({ label: `Your plan: ${quota.user.name}`, limits: quota.user.limits, used: add(quota.user.used, quota.user.reserved) });
  if (quota.team) scopes.push({ label: `Team ${quota.team.name} (shared)`, team: quota.team.name, limits: quota.team.limits, used: add(quota.team.used, quota.team.reserved) });
  return {
    templates: templates.map((t) => {
      const all = placementsByTemplate.get(t.id) ?? [];
      const placements = all.filter((p) => p.online && !p.unavailable).map((p) => p.name);
      const unavailable = all.filter((p) => !placements.includes(p.name)).map((p) => ({ name: p.name, reason: p.unavailable ?? `${p.name} is offline` }));
      const home = clients.get(t.providerId)?.homeOf({ id: t.providerRefId, data: t.providerRef as JsonObject }) ?? null;
      const floor = floors.get(t.id) ?? {};
      const min = {
        cpuCores: Math.max(t.minCpuCores, floor.cpuCores ?? 0),
        memoryMb: Math.max(t.minMemoryMb, floor.memoryMb ?? 0),
        diskGb: Math.max(t.minDiskGb, floor.diskGb ?? 0),
      };
      return {
        id: t.id,
        name: t.name,
        os: t.os,
        description: t.description,
        provider: t.provider.name,
        placementLabel: PROVIDER_CATALOG[t.provider.kind].capabilities.placementLabel,
        home,
        placements,
        unavailable,
        ciuser: t.ciuser,
        min,
        defaults: {
          cpuCores: Math.max(min.cpuCores, t.defaultCpuCores ?? min.cpuCores),
          memoryMb: Math.max(min.memoryMb, t.defaultMemoryMb ?? Math.max(min.memoryMb, 1024)),
          diskGb: Math.max(min.diskGb, t.defaultDiskGb ?? min.diskGb),
        },
        kindLabel: PROVIDER_CATALOG[t.provider.kind].label,
        cloudInit: PROVIDER_CATALOG[t.provider.kind].capabilities.cloudInit,
        gpu: offers.get(t.id) ? { offers: offers.get(t.id)!, sizesFromOffers: PROVIDER_CATALOG[t.provider.kind].capabilities.sizes === "offers" } : null,
      };
    }),
    planName: quota.planName,
    perVm: quota.perVm,
    scopes,
    prices,
    currency: quota.currency,
    sshKeys,
    allowedGpuTypes: plan.plan?.allowedGpuTypes ?? [],
    allowedRentalTypes: plan.plan?.allowedRentalTypes ?? [],
  };
}

/** What the New VM wizard starts with when opened from a failed create (Edit and retry, issue 12). */
export type WizardPrefill = {
  templateId?: string;
  target?: string;
  cpuCores?: number;
  memorySize?: number;
  diskSize?: number;
  name?: string;
  ciuser?: string;
  /** A GPU order: its type and count, its rental type as a plan names it (e.g. reserved_3m), auto-restart. */
  gpuType?: string;
  gpuCount?: number;
  rental?: string;
  autoRestart?: boolean;
};

/**
 * The New VM wizard's address pre-filled with a create task's request (template, placement,
 * size, name, login user; never its password or keys): Edit and retry of a failed or cancelled
 * create. Null for other kinds or when its VM row is gone.
 */
export async function editRetryHref(taskId: string): Promise<string | null> {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { vm: true } });
  if (!task || task.kind !== "vm.create" || !task.vm) return null;
  const request = (task.input as { request?: { name?: unknown; options?: Record<string, unknown>; cloudInit?: { user?: unknown } } }).request;
  const q = new URLSearchParams();
  if (task.vm.templateId) q.set("template", task.vm.templateId);
  if (typeof request?.options?.target === "string") q.set("target", request.options.target);
  q.set("cpu", String(task.vm.cpuCores));
  q.set("memory", String(task.vm.memoryMb));
  q.set("disk", String(task.vm.diskGb));
  q.set("name", typeof request?.name === "string" ? request.name : task.vm.name);
  if (typeof request?.cloudInit?.user === "string") q.set("ciuser", request.cloudInit.user);
  // A GPU order comes back whole: type, count, rental type, auto-restart.
  if (task.vm.gpuCount > 0 && task.vm.gpuType) {
    q.set("gpu", task.vm.gpuType);
    q.set("gpus", String(task.vm.gpuCount));
    q.set("rental", task.vm.rentalType);
    if (task.vm.autoRestart) q.set("restart", "1");
  }
  return `/vms/new?${q.toString()}`;
}

const count = z.coerce.number().int().positive().max(1_000_000).optional().catch(undefined);
const word = z.string().max(200).optional().catch(undefined);
/** The wizard's query parameters (from editRetryHref); anything malformed is ignored. */
export const wizardPrefillSchema = z.object({
  template: word,
  target: word,
  cpu: count,
  memory: count,
  disk: count,
  name: word,
  ciuser: word,
  gpu: word,
  gpus: count,
  rental: z.enum(RENTAL_TYPES).optional().catch(undefined),
  restart: z.literal("1").optional().catch(undefined),
});

/** The query parameters of /vms/new as the wizard's starting values. */
export function prefillFrom(params: Record<string, string | string[] | undefined>): WizardPrefill {
  const p = wizardPrefillSchema.parse(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
  return {
    templateId: p.template,
    target: p.target,
    cpuCores: p.cpu,
    memorySize: p.memory,
    diskSize: p.disk,
    name: p.name,
    ciuser: p.ciuser,
    ...(p.gpu ? { gpuType: p.gpu, gpuCount: p.gpus ?? 1, rental: p.rental ?? "on_demand", autoRestart: p.restart === "1" } : {}),
  };
}
