import { db } from "../../db/client";
import type { PlanForm } from "../../schemas/admin";
import { audit, fieldError, isUniqueViolation, lock, notFound, TX_OPTIONS, type AdminActor } from "../common";

/**
 * Creates (no `id`) or updates a plan, audited. There is at most one default plan, and once
 * there is one there is always one: making a plan the default unsets the others (each audited),
 * and the default cannot be unset directly, only replaced by making another plan the default.
 */
export async function savePlan(input: PlanForm, actor: AdminActor): Promise<{ id: string }> {
  try {
    return await db().$transaction(async (tx) => {
      await lock(tx, "default-plan");
      const existing = input.id ? await tx.plan.findUnique({ where: { id: input.id } }) : null;
      if (input.id && !existing) throw notFound("Plan");
      const clash = await tx.plan.findUnique({ where: { name: input.name }, select: { id: true } });
      if (clash && clash.id !== input.id) throw fieldError("name", "A plan with this name already exists", "conflict");
      if (existing?.isDefault && !input.isDefault) {
        throw fieldError("isDefault", "This is the default plan for new users: make another plan the default instead");
      }
      const providerIds = [...new Set(input.allowedProviderIds)];
      if ((await tx.providerConnection.count({ where: { id: { in: providerIds } } })) !== providerIds.length) {
        throw fieldError("allowedProviderIds", "One of these providers no longer exists: reload the page");
      }
      const data = {
        name: input.name,
        description: input.description,
        isDefault: input.isDefault,
        maxCpuCoresPerVm: input.maxCpuCoresPerVm,
        maxMemoryMbPerVm: input.maxMemoryMbPerVm,
        maxDiskGbPerVm: input.maxDiskGbPerVm,
        maxGpusPerVm: input.maxGpusPerVm,
        maxCpuCoresSum: input.maxCpuCoresSum,
        maxMemoryMbSum: input.maxMemoryMbSum,
        maxDiskGbSum: input.maxDiskGbSum,
        maxGpusSum: input.maxGpusSum,
        maxVms: input.maxVms,
        maxMonthlySpend: input.maxMonthlySpend,
        allowedProviderIds: providerIds,
        allowedRentalTypes: [...new Set(input.allowedRentalTypes)],
        allowedGpuTypes: [...new Set(input.allowedGpuTypes)],
      };
      const plan = existing ? await tx.plan.update({ where: { id: existing.id }, data }) : await tx.plan.create({ data });
      if (plan.isDefault) {
        const others = await tx.plan.findMany({ where: { isDefault: true, NOT: { id: plan.id } } });
        for (const other of others) {
          const after = await tx.plan.update({ where: { id: other.id }, data: { isDefault: false } });
          await audit(tx, actor, "plan.update", "plan", other.id, other, after);
        }
      }
      await audit(tx, actor, existing ? "plan.update" : "plan.create", "plan", plan.id, existing ?? undefined, plan);
      return { id: plan.id };
    }, TX_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldError("name", "A plan with this name already exists", "conflict");
    throw error;
  }
}
