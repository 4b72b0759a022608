import { db } from "../../db/client";
import { AppError } from "../../errors";
import { providerFor } from "../../providers/registry";
import type { Discovery as ProviderDiscovery } from "../../providers/types";
import { notFound } from "../common";
import { providerProblem } from "./test-connection";

export type DiscoveredTemplate = ProviderDiscovery["templates"][number] & {
  /** Portal templates already made from this one (a template may be published under several names). */
  publishedAs: string[];
};
export type Discovery = { inventory: ProviderDiscovery["inventory"]; templates: DiscoveredTemplate[] };

/** What the provider has: its inventory tables and its templates, each template with its portal names. */
export async function discoverProvider(id: string): Promise<Discovery> {
  const row = await db().providerConnection.findUnique({ where: { id } });
  if (!row) throw notFound("Provider");
  let found: ProviderDiscovery;
  try {
    found = await providerFor(row).discover();
  } catch (error) {
    throw new AppError("bad_request", providerProblem(error), { cause: error });
  }
  const published = await db().template.findMany({ where: { providerId: id }, select: { name: true, providerRefId: true }, orderBy: { name: "asc" } });
  const names = new Map<string, string[]>();
  for (const t of published) names.set(t.providerRefId, [...(names.get(t.providerRefId) ?? []), t.name]);
  return { inventory: found.inventory, templates: found.templates.map((t) => ({ ...t, publishedAs: names.get(t.ref.id) ?? [] })) };
}
