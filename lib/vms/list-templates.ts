import type { AuthenticatedUser } from "../auth/credentials";
import { db } from "../db/client";
import { loadPrices } from "../quota/context";
import { listUsableTemplates } from "../templates/access";
import { templateOffers, type OfferView } from "./template-offers";

/**
 * The templates `user` may use, as GET /api/v1/templates lists them: `offers` are the GPU offers
 * of a template whose provider offers GPUs (null for the others; [] when the provider could not
 * say): GPU type, the counts that can be ordered, the sizes that come with each GPU, hourly rates
 * (decimal strings), the rental types and what is free now.
 */
export async function listTemplatesForApi(user: AuthenticatedUser) {
  const [templates, prices] = await Promise.all([listUsableTemplates(user), loadPrices(db())]);
  const offers = await templateOffers(templates, prices);
  return templates.map((t) => ({
    id: t.id,
    name: t.name,
    os: t.os,
    description: t.description,
    provider: t.provider.name,
    provider_ref: t.providerRefId,
    min: { cpuCores: t.minCpuCores, memorySize: t.minMemoryMb, diskSize: t.minDiskGb },
    offers: (offers.get(t.id) ?? null) as OfferView[] | null,
  }));
}
