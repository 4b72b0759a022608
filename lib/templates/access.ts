import { db } from "../db/client";
import type { Db } from "../db/client";
import type { AuthenticatedUser } from "../auth/credentials";

/**
 * Who may use a template: everyone when it is public, otherwise the users it is granted to and
 * the members of the teams it is granted to.
 * Disabled templates and templates of disabled providers are usable by no one.
 */
export function usableWhere(user: Pick<AuthenticatedUser, "id">): Db.Prisma.TemplateWhereInput {
  return {
    enabled: true,
    provider: { enabled: true },
    OR: [{ public: true }, { grants: { some: { userId: user.id } } }, { teamGrants: { some: { team: { members: { some: { id: user.id } } } } } }],
  };
}

export async function listUsableTemplates(user: Pick<AuthenticatedUser, "id">) {
  return db().template.findMany({ where: usableWhere(user), orderBy: { name: "asc" }, include: { provider: { select: { id: true, name: true, kind: true } } } });
}

/** A template by its id or its unique name. */
export async function findTemplate(idOrName: string) {
  return db().template.findFirst({
    where: { OR: [{ id: idOrName }, { name: idOrName }] },
    include: { provider: true, grants: { select: { userId: true } }, teamGrants: { select: { teamId: true } } },
  });
}

export function canUseTemplate(
  user: Pick<AuthenticatedUser, "id"> & { teamId?: string | null },
  template: { enabled: boolean; public: boolean; provider: { enabled: boolean }; grants: { userId: string }[]; teamGrants?: { teamId: string }[] },
): boolean {
  if (!template.enabled || !template.provider.enabled) return false;
  return (
    template.public ||
    template.grants.some((g) => g.userId === user.id) ||
    Boolean(user.teamId && template.teamGrants?.some((g) => g.teamId === user.teamId))
  );
}
