import { db } from "../../db/client";
import { moduleFor } from "../../providers/registry";
import type { ImportTemplateRow, ImportTemplates } from "../../schemas/admin";
import { audit, fieldError, isUniqueViolation, notFound, TX_OPTIONS, type AdminActor } from "../common";

/**
 * Publishes the selected discovered templates as portal templates, all or none, audited.
 * The rows keep their index in the form so that a taken name is reported at its field.
 */
export async function importTemplates(input: ImportTemplates, actor: AdminActor): Promise<{ ids: string[] }> {
  const selected = input.templates.flatMap((t, index) => (t.selected ? [{ ...(t as ImportTemplateRow), index }] : []));
  try {
    return await db().$transaction(async (tx) => {
      const provider = await tx.providerConnection.findUnique({ where: { id: input.providerId } });
      if (!provider) throw notFound("Provider");
      const takenNames = new Set((await tx.template.findMany({ select: { name: true } })).map((t) => t.name.toLowerCase()));
      const clash = selected.find((t) => takenNames.has(t.name.toLowerCase()));
      if (clash) throw fieldError(`templates.${clash.index}.name`, `A template named "${clash.name}" already exists`, "conflict");
      const kind = moduleFor(provider.kind);
      const ids: string[] = [];
      for (const t of selected) {
        const ref = kind.refSchema.safeParse(t.ref);
        if (!ref.success) throw fieldError(`templates.${t.index}.ref`, "Not a template of this provider: discover again");
        const row = await tx.template.create({
          data: {
            name: t.name,
            providerId: provider.id,
            providerRef: ref.data.data,
            providerRefId: ref.data.id,
            os: t.os,
            description: t.description,
            public: t.public,
            enabled: true,
            minCpuCores: t.minCpuCores,
            minMemoryMb: t.minMemoryMb,
            minDiskGb: t.minDiskGb,
          },
        });
        await audit(tx, actor, "template.import", "template", row.id, undefined, { ...row, provider: provider.name, users: [], teams: [] });
        ids.push(row.id);
      }
      return { ids };
    }, TX_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldError("templates", "A template with one of these names was just created: reload and choose another name", "conflict");
    throw error;
  }
}
