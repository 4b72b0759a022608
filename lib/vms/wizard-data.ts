import type { AuthenticatedUser } from "../auth/credentials";
import { db } from "../db/client";
import { log } from "../log";
import { providerFor } from "../providers/registry";
import { usageIn } from "../quota/reserve";
import { planLimits, remaining, type PlanLimits } from "../quota/rules";
import type { Resources } from "../quota/usage";
import { listUsableTemplates } from "../templates/access";

export type WizardTemplate = {
  id: string;
  name: string;
  os: string;
  description: string;
  provider: string;
  node: string;
  nodes: string[];
  ciuser: string | null;
  min: { cpuCores: number; memoryMb: number; diskGb: number };
};

export type WizardData = {
  templates: WizardTemplate[];
  plan: { name: string; limits: PlanLimits } | null;
  used: Resources;
  left: Resources;
  sshKeys: { id: string; name: string; fingerprint: string }[];
};

/** Everything the New VM wizard shows: usable templates (with their cluster's nodes), limits, usage, keys. */
export async function wizardData(user: AuthenticatedUser): Promise<WizardData> {
  const [templates, owner, used, sshKeys] = await Promise.all([
    listUsableTemplates(user),
    db().user.findUniqueOrThrow({ where: { id: user.id }, include: { plan: true } }),
    usageIn(db(), user.id),
    db().sshKey.findMany({ where: { userId: user.id }, orderBy: { createdAt: "asc" }, select: { id: true, name: true, fingerprint: true } }),
  ]);
  const nodesByProvider = new Map<string, string[]>();
  for (const providerId of new Set(templates.map((t) => t.providerId))) {
    const row = await db().providerConnection.findUniqueOrThrow({ where: { id: providerId } });
    try {
      const nodes = await providerFor(row).nodes();
      nodesByProvider.set(providerId, nodes.filter((n) => n.online).map((n) => n.name));
    } catch (error) {
      log.warn({ provider: row.name, err: error instanceof Error ? error.message : String(error) }, "could not list nodes for the wizard");
    }
  }
  const limits = owner.plan ? planLimits(owner.plan) : null;
  return {
    templates: templates.map((t) => {
      const nodes = nodesByProvider.get(t.providerId) ?? [];
      return {
        id: t.id,
        name: t.name,
        os: t.os,
        description: t.description,
        provider: t.provider.name,
        node: t.node,
        nodes: nodes.includes(t.node) ? nodes : [t.node, ...nodes],
        ciuser: t.ciuser,
        min: { cpuCores: t.minCpuCores, memoryMb: t.minMemoryMb, diskGb: t.minDiskGb },
      };
    }),
    plan: owner.plan && limits ? { name: owner.plan.name, limits } : null,
    used,
    left: limits ? remaining(limits, used) : { cpuCores: 0, memoryMb: 0, diskGb: 0, vms: 0 },
    sshKeys,
  };
}
