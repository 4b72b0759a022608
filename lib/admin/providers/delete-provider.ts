import { db } from "../../db/client";
import { AppError } from "../../errors";
import { audit, notFound, TX_OPTIONS, type AdminActor } from "../common";

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/**
 * Deletes a provider connection nothing refers to: no template, no VM (not even a deleted VM: its
 * record keeps the provider for the history) and no plan that lists it among its allowed
 * providers (dropping it there could turn "only this provider" into "any provider"). Audited, in
 * one transaction; the credentials go with the row and never reach the audit log.
 * Errors: not_found; conflict naming what still uses it (then: disable it instead).
 */
export async function deleteProvider(id: string, actor: AdminActor): Promise<{ name: string }> {
  return db().$transaction(async (tx) => {
    // Lock the row: a template import or a VM request naming it (a foreign key check) now waits.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "ProviderConnection" WHERE "id" = ${id} FOR UPDATE`;
    const provider = locked.length ? await tx.providerConnection.findUnique({ where: { id } }) : null;
    if (!provider) throw notFound("Provider");
    const [templates, vms, plans] = await Promise.all([
      tx.template.count({ where: { providerId: id } }),
      tx.vm.count({ where: { providerId: id } }),
      tx.plan.count({ where: { allowedProviderIds: { has: id } } }),
    ]);
    if (templates + vms + plans > 0) {
      const what = [templates ? count(templates, "template") : "", vms ? `${count(vms, "VM")} (deleted VMs count: they keep its history)` : "", plans ? count(plans, "plan") : ""]
        .filter(Boolean)
        .join(", ");
      throw new AppError("conflict", `Provider "${provider.name}" is still used by ${what}: disable it instead`);
    }
    await tx.providerConnection.delete({ where: { id } });
    await audit(tx, actor, "provider.delete", "provider", id, { name: provider.name, kind: provider.kind, baseUrl: provider.baseUrl, enabled: provider.enabled }, undefined);
    return { name: provider.name };
  }, TX_OPTIONS);
}
