import { db } from "../../db/client";
import type { Db } from "../../db/client";
import { moduleFor } from "../../providers/registry";
import type { TemplateForm } from "../../schemas/admin";
import { audit, fieldError, isUniqueViolation, notFound, TX_OPTIONS, type AdminActor, type Tx } from "../common";

async function snapshot(tx: Tx, id: string) {
  const t = await tx.template.findUniqueOrThrow({
    where: { id },
    include: { grants: { include: { user: { select: { email: true } } } }, teamGrants: { include: { team: { select: { name: true } } } } },
  });
  const { grants, teamGrants, ...rest } = t;
  return { ...rest, users: grants.map((g) => g.user.email).sort(), teams: teamGrants.map((g) => g.team.name).sort() };
}

/** Changes a template's details, sizes, visibility (public, or granted users and teams) and state, audited. */
export async function updateTemplate(input: TemplateForm, actor: AdminActor): Promise<{ id: string }> {
  try {
    return await db().$transaction(async (tx) => {
      const existing = await tx.template.findUnique({ where: { id: input.id }, select: { id: true, provider: { select: { kind: true } } } });
      if (!existing) throw notFound("Template");
      const settings = moduleFor(existing.provider.kind).templateSettings.safeParse(
        Object.fromEntries(Object.entries(input.settings ?? {}).filter(([, v]) => v !== "")),
      );
      if (!settings.success) {
        const issue = settings.error.issues[0]!;
        throw fieldError(["settings", ...issue.path.map(String)].join("."), issue.message);
      }
      const others = await tx.template.findMany({ where: { NOT: { id: input.id } }, select: { name: true } });
      if (others.some((o) => o.name.toLowerCase() === input.name.toLowerCase())) throw fieldError("name", "A template with this name already exists", "conflict");
      const userIds = [...new Set(input.userIds)];
      const teamIds = [...new Set(input.teamIds)];
      if ((await tx.user.count({ where: { id: { in: userIds } } })) !== userIds.length) throw fieldError("userIds", "One of these users no longer exists: reload the page");
      if ((await tx.team.count({ where: { id: { in: teamIds } } })) !== teamIds.length) throw fieldError("teamIds", "One of these teams no longer exists: reload the page");

      const before = await snapshot(tx, input.id);
      await tx.template.update({
        where: { id: input.id },
        data: {
          name: input.name,
          os: input.os,
          description: input.description,
          public: input.public,
          enabled: input.enabled,
          ciuser: input.ciuser,
          settings: settings.data as Db.Prisma.InputJsonValue,
          minCpuCores: input.minCpuCores,
          minMemoryMb: input.minMemoryMb,
          minDiskGb: input.minDiskGb,
          defaultCpuCores: input.defaultCpuCores,
          defaultMemoryMb: input.defaultMemoryMb,
          defaultDiskGb: input.defaultDiskGb,
        },
      });
      await tx.templateGrant.deleteMany({ where: { templateId: input.id, userId: { notIn: userIds } } });
      await tx.templateGrant.createMany({ data: userIds.map((userId) => ({ templateId: input.id, userId })), skipDuplicates: true });
      await tx.templateTeamGrant.deleteMany({ where: { templateId: input.id, teamId: { notIn: teamIds } } });
      await tx.templateTeamGrant.createMany({ data: teamIds.map((teamId) => ({ templateId: input.id, teamId })), skipDuplicates: true });
      const after = await snapshot(tx, input.id);
      await audit(tx, actor, "template.update", "template", input.id, before, after);
      return { id: input.id };
    }, TX_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldError("name", "A template with this name already exists", "conflict");
    throw error;
  }
}
