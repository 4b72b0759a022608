import { db } from "../../db/client";
import { AppError } from "../../errors";
import { providerFor } from "../../providers/registry";
import type { NodeInfo, StorageInfo, TemplateInfo } from "../../providers/types";
import { notFound } from "../common";
import { providerProblem } from "./test-connection";

export type DiscoveredTemplate = TemplateInfo & {
  /** Portal templates already made from this one (a template may be published under several names). */
  publishedAs: string[];
};
export type Discovery = { nodes: NodeInfo[]; storages: StorageInfo[]; templates: DiscoveredTemplate[] };

/** What the provider has: nodes, storages and templates, each template with its portal names. */
export async function discoverProvider(id: string): Promise<Discovery> {
  const row = await db().providerConnection.findUnique({ where: { id } });
  if (!row) throw notFound("Provider");
  let found: Awaited<ReturnType<ReturnType<typeof providerFor>["discover"]>>;
  try {
    found = await providerFor(row).discover();
  } catch (error) {
    throw new AppError("bad_request", providerProblem(error), { cause: error });
  }
  const published = await db().template.findMany({ where: { providerId: id }, select: { name: true, node: true, vmid: true }, orderBy: { name: "asc" } });
  const key = (t: { node: string; vmid: number }) => `${t.node}/${t.vmid}`;
  const names = new Map<string, string[]>();
  for (const t of published) names.set(key(t), [...(names.get(key(t)) ?? []), t.name]);
  return {
    nodes: [...found.nodes].sort((a, b) => a.name.localeCompare(b.name)),
    storages: [...found.storages].sort((a, b) => a.node.localeCompare(b.node) || a.storage.localeCompare(b.storage)),
    templates: [...found.templates].sort((a, b) => a.vmid - b.vmid).map((t) => ({ ...t, publishedAs: names.get(key(t)) ?? [] })),
  };
}
