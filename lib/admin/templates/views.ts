import { db } from "../../db/client";
import type { Db } from "../../db/client";
import { PROVIDER_CATALOG } from "../../providers/catalog";
import { providerFor } from "../../providers/registry";
import type { JsonObject, ProviderRef } from "../../providers/types";
import { notFound } from "../common";

export type TemplateRow = {
  id: string;
  name: string;
  os: string;
  provider: string;
  /** The provider's short id of the template. */
  ref: string;
  /** Where the template is, in its provider's words (its short id when the provider cannot say). */
  where: string;
  public: boolean;
  enabled: boolean;
  users: number;
  teams: number;
  min: { cpuCores: number; memoryMb: number; diskGb: number };
  vms: number;
};

function whereOf(provider: Db.ProviderConnection, ref: ProviderRef): string {
  try {
    return providerFor(provider).describe(ref);
  } catch {
    return ref.id;
  }
}

export async function listTemplatesForAdmin(): Promise<TemplateRow[]> {
  const rows = await db().template.findMany({
    orderBy: { name: "asc" },
    include: { provider: true, _count: { select: { grants: true, teamGrants: true, vms: { where: { deletedAt: null } } } } },
  });
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    os: t.os,
    provider: t.provider.name,
    ref: t.providerRefId,
    where: whereOf(t.provider, { id: t.providerRefId, data: t.providerRef as JsonObject }),
    public: t.public,
    enabled: t.enabled,
    users: t._count.grants,
    teams: t._count.teamGrants,
    min: { cpuCores: t.minCpuCores, memoryMb: t.minMemoryMb, diskGb: t.minDiskGb },
    vms: t._count.vms,
  }));
}

export type TemplateDetail = Awaited<ReturnType<typeof getTemplateForAdmin>>;

export async function getTemplateForAdmin(id: string) {
  const t = await db().template.findUnique({
    where: { id },
    include: {
      provider: { select: { id: true, name: true, kind: true, enabled: true } },
      grants: { select: { userId: true } },
      teamGrants: { select: { teamId: true } },
    },
  });
  if (!t) throw notFound("Template");
  const { grants, teamGrants, createdAt, updatedAt, providerRef, settings, ...rest } = t;
  void providerRef;
  // Settings as the form's text fields, labelled by the kind's module (lib/providers/catalog.ts).
  const texts = Object.fromEntries(Object.entries((settings ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v ?? "")]));
  return {
    ...rest,
    settings: texts,
    settingFields: PROVIDER_CATALOG[t.provider.kind].templateSettingFields, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString(), userIds: grants.map((g) => g.userId), teamIds: teamGrants.map((g) => g.teamId) };
}

/** Everyone a template could be granted to. */
export async function grantOptions() {
  const [users, teams] = await Promise.all([
    db().user.findMany({ orderBy: { email: "asc" }, select: { id: true, email: true, name: true, disabled: true } }),
    db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  return { users, teams };
}
