import { readFileSync } from "node:fs";
import { db } from "../db/client";
import type { Db } from "../db/client";
import { encryptJson } from "../crypto/secrets";
import { endUserCredentials, isRoleLowered } from "../auth/end-credentials";
import { hashPassword, verifyPassword } from "../auth/password";
import { recordAudit, type Actor } from "../audit/record";
import { lock } from "../admin/common";
import { priceSnapshot } from "../admin/prices/save-prices";
import { CURRENCY_SETTING } from "../schemas/catalog";
import { PROVIDER_KINDS, type ProviderKindName } from "../schemas/catalog";
import { hangarConfigSchema, PROVIDER_ENTRY_FIELDS, TEMPLATE_COMMON_FIELDS, type HangarConfig, type ProviderConfig } from "../schemas/config";
import { enableProblem } from "../providers/catalog";
import { providerModules } from "../providers/registry";
import type { ProviderModule, ProviderTemplate } from "../providers/types";

export type ConfigProblem = { path: string; message: string };
export type ApplyReport = Record<"providers" | "templates" | "plans" | "teams" | "users" | "prices", { created: number; updated: number }>;

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function pathOf(parts: PropertyKey[]): string {
  return parts.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), "");
}

function duplicates<T>(items: T[], key: (t: T) => string, section: string, field: string): ConfigProblem[] {
  const seen = new Set<string>();
  return items.flatMap((item, i) => {
    const k = key(item);
    if (seen.has(k)) return [{ path: `${section}[${i}].${field}`, message: `duplicate ${field} "${k}"` }];
    seen.add(k);
    return [];
  });
}

/** A valid configuration; each provider with its kind's settings, each template with its reference and settings from its kind's own fields. */
export type ValidConfig = Omit<HangarConfig, "templates" | "providers"> & {
  providers: (ProviderConfig & { kindSettings: Record<string, unknown> })[];
  templates: (HangarConfig["templates"][number] & { onProvider: ProviderTemplate })[];
};

/** Each provider's connection settings (the keys beside its kind's common fields), checked by its kind's module (strict). */
function providerFields(raw: unknown): { problems: ConfigProblem[]; found: Record<string, unknown>[] } {
  const file = (raw ?? {}) as { providers?: unknown };
  const providers = Array.isArray(file.providers) ? (file.providers as Record<string, unknown>[]) : [];
  const problems: ConfigProblem[] = [];
  const found = providers.map((p, i) => {
    if (!p || typeof p !== "object" || !isKind(p.kind)) return {};
    const own = Object.fromEntries(Object.entries(p).filter(([k]) => !PROVIDER_ENTRY_FIELDS[p.kind as ProviderKindName].includes(k)));
    const entry = providerModules[p.kind];
    if (!entry.available) {
      for (const key of Object.keys(own)) problems.push({ path: `providers[${i}].${key}`, message: "unknown field" });
      return {};
    }
    const parsed = entry.connectionSettings.safeParse(own);
    if (parsed.success) return parsed.data;
    problems.push(...parsed.error.issues.map((issue) => ({ path: pathOf(["providers", i, ...issue.path]), message: issue.message })));
    return {};
  });
  return { problems, found };
}

const isKind = (k: unknown): k is ProviderKindName => typeof k === "string" && (PROVIDER_KINDS as readonly string[]).includes(k);

/**
 * Each template's kind-specific fields (everything beside the common ones), checked by the
 * module of its provider's kind (from the file, else the database). A provider whose kind is
 * unknown (itself a problem) is checked against the kinds Hangar drives.
 */
function templateFields(raw: unknown, stored: Map<string, ProviderKindName>): { problems: ConfigProblem[]; found: (ProviderTemplate | null)[] } {
  const file = (raw ?? {}) as { providers?: unknown; templates?: unknown };
  const kinds = new Map(stored);
  if (Array.isArray(file.providers)) for (const p of file.providers as { name?: unknown; kind?: unknown }[]) if (typeof p?.name === "string") kinds.set(p.name, p.kind as ProviderKindName);
  const templates = Array.isArray(file.templates) ? (file.templates as Record<string, unknown>[]) : [];
  const available = Object.values(providerModules).filter((m): m is ProviderModule => m.available);
  const problems: ConfigProblem[] = [];
  const found = templates.map((t, i) => {
    if (!t || typeof t !== "object") return null;
    const own = Object.fromEntries(Object.entries(t).filter(([k]) => !(TEMPLATE_COMMON_FIELDS as readonly string[]).includes(k)));
    const kind = kinds.get(String(t.provider));
    const entry = isKind(kind) ? providerModules[kind] : null;
    if (entry && !entry.available) {
      problems.push({ path: `templates[${i}].provider`, message: `${entry.label} templates are not supported yet` });
      return null;
    }
    const candidates = entry ? [entry] : available;
    const results = candidates.map((m) => m.templateFields.safeParse(own));
    const ok = results.find((r) => r.success);
    if (ok?.success) return ok.data;
    const first = results[0];
    if (first && !first.success) problems.push(...first.error.issues.map((issue) => ({ path: pathOf([`templates`, i, ...issue.path]), message: issue.message })));
    return null;
  });
  return { problems, found };
}

/** Parses and cross-checks a configuration: every problem, each with the path of its field. */
export async function validateConfig(raw: unknown): Promise<ValidConfig> {
  const stored = new Map((await db().providerConnection.findMany({ select: { name: true, kind: true } })).map((p) => [p.name, p.kind]));
  const own = templateFields(raw, stored);
  const settings = providerFields(raw);
  const parsed = hangarConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError([...parsed.error.issues.map((i) => ({ path: pathOf(i.path) || "(file)", message: i.message })), ...settings.problems, ...own.problems]);
  }
  const config = parsed.data;
  const problems: ConfigProblem[] = [
    ...settings.problems,
    ...own.problems,
    ...duplicates(config.providers, (p) => p.name, "providers", "name"),
    ...duplicates(config.templates, (t) => t.name, "templates", "name"),
    ...duplicates(config.plans, (p) => p.name, "plans", "name"),
    ...duplicates(config.teams, (t) => t.name, "teams", "name"),
    ...duplicates(config.users, (u) => u.email, "users", "email"),
  ];
  if (config.plans.filter((p) => p.default).length > 1) problems.push({ path: "plans", message: "only one plan can be the default" });

  const [dbProviders, dbPlans, dbTeams, dbUsers] = await Promise.all([
    db().providerConnection.findMany({ select: { name: true } }),
    db().plan.findMany({ select: { name: true } }),
    db().team.findMany({ select: { name: true } }),
    db().user.findMany({ select: { email: true } }),
  ]);
  const providerNames = new Set([...dbProviders.map((p) => p.name), ...config.providers.map((p) => p.name)]);
  const planNames = new Set([...dbPlans.map((p) => p.name), ...config.plans.map((p) => p.name)]);
  const teamNames = new Set([...dbTeams.map((t) => t.name), ...config.teams.map((t) => t.name)]);
  const emails = new Set([...dbUsers.map((u) => u.email), ...config.users.map((u) => u.email)]);
  config.templates.forEach((t, i) => {
    if (!providerNames.has(t.provider)) problems.push({ path: `templates[${i}].provider`, message: `no provider named "${t.provider}"` });
    t.users.forEach((email, j) => {
      if (!emails.has(email)) problems.push({ path: `templates[${i}].users[${j}]`, message: `no user with email "${email}"` });
    });
    t.teams.forEach((team, j) => {
      if (!teamNames.has(team)) problems.push({ path: `templates[${i}].teams[${j}]`, message: `no team named "${team}"` });
    });
  });
  config.plans.forEach((p, i) => {
    p.allowedProviders.forEach((provider, j) => {
      if (!providerNames.has(provider)) problems.push({ path: `plans[${i}].allowedProviders[${j}]`, message: `no provider named "${provider}"` });
    });
  });
  config.teams.forEach((t, i) => {
    if (t.plan && !planNames.has(t.plan)) problems.push({ path: `teams[${i}].plan`, message: `no plan named "${t.plan}"` });
  });
  config.users.forEach((u, i) => {
    if (u.plan && !planNames.has(u.plan)) problems.push({ path: `users[${i}].plan`, message: `no plan named "${u.plan}"` });
    if (u.team && !teamNames.has(u.team)) problems.push({ path: `users[${i}].team`, message: `no team named "${u.team}"` });
  });
  config.providers.forEach((p, i) => {
    const problem = p.enabled ? enableProblem(p.kind) : null;
    if (problem) problems.push({ path: `providers[${i}].enabled`, message: problem });
  });
  if (problems.length) throw new ConfigError(problems);
  return {
    ...config,
    providers: config.providers.map((p, i) => ({ ...p, kindSettings: settings.found[i] ?? {} })),
    templates: config.templates.map((t, i) => ({ ...t, onProvider: own.found[i]! })),
  };
}

export function providerCredentials(p: ProviderConfig): Record<string, string> {
  switch (p.kind) {
    case "pve":
      return p.tokenId ? { tokenId: p.tokenId, secret: p.secret! } : { username: p.username!, password: p.password!, realm: p.realm ?? "pam" };
    case "vergeos":
      return p.apiKey ? { apiKey: p.apiKey } : { username: p.username!, password: p.password! };
    case "nova":
      // An e-mail login is stored as username/password, as the admin console shows logins.
      return p.apiKey ? { apiKey: p.apiKey } : { username: p.email!, password: p.password! };
  }
}

function tally(report: ApplyReport, section: keyof ApplyReport, created: boolean): void {
  report[section][created ? "created" : "updated"] += 1;
}

/** Validates everything first, then upserts it all in one transaction: all or nothing. */
export async function applyConfig(raw: unknown, actor: Actor = { email: "config" }): Promise<ApplyReport> {
  const config = await validateConfig(raw);
  // New hashes only for passwords that change: the same file applied again (HANGAR_CONFIG at
  // every start) keeps the stored hash and, with it, the user's sessions and tokens.
  const hashes = new Map<string, string>();
  const withPassword = config.users.filter((u) => u.password);
  const stored = new Map(
    (await db().user.findMany({ where: { email: { in: withPassword.map((u) => u.email) } }, select: { email: true, passwordHash: true } })).map((u) => [u.email, u.passwordHash]),
  );
  for (const u of withPassword) {
    const current = stored.get(u.email);
    if (current && (await verifyPassword(current, u.password!))) continue;
    hashes.set(u.email, await hashPassword(u.password!));
  }
  const report: ApplyReport = {
    providers: { created: 0, updated: 0 },
    templates: { created: 0, updated: 0 },
    plans: { created: 0, updated: 0 },
    teams: { created: 0, updated: 0 },
    users: { created: 0, updated: 0 },
    prices: { created: 0, updated: 0 },
  };

  await db().$transaction(
    async (tx) => {
      for (const p of config.providers) {
        const data = {
          kind: p.kind,
          baseUrl: p.url,
          credentials: encryptJson(providerCredentials(p)),
          tlsVerify: p.tls.verify,
          tlsCa: p.tls.ca ?? null,
          tlsFingerprint: p.tls.fingerprint ?? null,
          settings: { ...p.kindSettings, ...(p.simulated && { simulated: true }) } as Db.Prisma.InputJsonValue,
          enabled: p.enabled,
        };
        const before = await tx.providerConnection.findUnique({ where: { name: p.name } });
        const after = await tx.providerConnection.upsert({ where: { name: p.name }, create: { name: p.name, ...data }, update: data });
        tally(report, "providers", !before);
        await recordAudit(tx, { actor, action: before ? "provider.update" : "provider.create", targetType: "provider", targetId: after.id, before: before ?? undefined, after });
      }
      // The console changes the default plan under the same lock (lib/admin/plans/save-plan.ts).
      if (config.plans.some((p) => p.default)) await lock(tx, "default-plan");
      for (const p of config.plans) {
        if (p.default) await tx.plan.updateMany({ where: { isDefault: true, NOT: { name: p.name } }, data: { isDefault: false } });
        const data = {
          description: p.description,
          isDefault: p.default,
          maxCpuCoresPerVm: p.perVm.cpuCores,
          maxMemoryMbPerVm: p.perVm.memoryMb,
          maxDiskGbPerVm: p.perVm.diskGb,
          maxCpuCoresSum: p.total.cpuCores,
          maxMemoryMbSum: p.total.memoryMb,
          maxDiskGbSum: p.total.diskGb,
          maxVms: p.total.vms,
          maxGpusPerVm: p.perVm.gpus,
          maxGpusSum: p.total.gpus,
          maxMonthlySpend: p.total.monthlySpend === null ? null : p.total.monthlySpend.toFixed(2),
          allowedProviderIds: (await tx.providerConnection.findMany({ where: { name: { in: p.allowedProviders } }, select: { id: true } })).map((x) => x.id),
          allowedRentalTypes: p.allowedRentalTypes,
          allowedGpuTypes: p.allowedGpuTypes,
        };
        const before = await tx.plan.findUnique({ where: { name: p.name } });
        const after = await tx.plan.upsert({ where: { name: p.name }, create: { name: p.name, ...data }, update: data });
        tally(report, "plans", !before);
        await recordAudit(tx, { actor, action: before ? "plan.update" : "plan.create", targetType: "plan", targetId: after.id, before: before ?? undefined, after });
      }
      for (const t of config.teams) {
        const plan = t.plan ? await tx.plan.findUniqueOrThrow({ where: { name: t.plan } }) : null;
        const data = { description: t.description, planId: plan?.id ?? null };
        const before = await tx.team.findUnique({ where: { name: t.name } });
        const after = await tx.team.upsert({ where: { name: t.name }, create: { name: t.name, ...data }, update: data });
        tally(report, "teams", !before);
        await recordAudit(tx, { actor, action: before ? "team.update" : "team.create", targetType: "team", targetId: after.id, before: before ?? undefined, after: { ...after, plan: t.plan ?? null } });
      }
      const defaultPlan = await tx.plan.findFirst({ where: { isDefault: true } });
      for (const u of config.users) {
        const plan = u.plan ? await tx.plan.findUniqueOrThrow({ where: { name: u.plan } }) : null;
        const team = u.team ? await tx.team.findUniqueOrThrow({ where: { name: u.team } }) : null;
        const before = await tx.user.findUnique({ where: { email: u.email } });
        const passwordHash = hashes.get(u.email);
        const after = await tx.user.upsert({
          where: { email: u.email },
          create: {
            email: u.email,
            name: u.name ?? "",
            role: u.role,
            disabled: u.disabled,
            passwordHash: passwordHash ?? null,
            planId: plan?.id ?? defaultPlan?.id ?? null,
            teamId: team?.id ?? null,
          },
          update: {
            role: u.role,
            disabled: u.disabled,
            ...(u.name !== undefined && { name: u.name }),
            ...(passwordHash && { passwordHash }),
            ...(plan && { planId: plan.id }),
            ...(team && { teamId: team.id }),
          },
        });
        tally(report, "users", !before);
        await recordAudit(tx, { actor, action: before ? "user.update" : "user.create", targetType: "user", targetId: after.id, before: before ?? undefined, after });
        if (before) {
          // A changed password, a disable or a lower role ends the user's sessions and tokens (lib/auth/end-credentials.ts).
          const passwordChanged = Boolean(passwordHash);
          const disabled = !before.disabled && after.disabled;
          if (passwordChanged) await recordAudit(tx, { actor, action: "user.password_change", targetType: "user", targetId: after.id, after: { by: "config" } });
          if (passwordChanged || disabled || isRoleLowered(before.role, after.role)) {
            await endUserCredentials(after.id, {
              reason: passwordChanged ? "password_change" : disabled ? "disabled" : "role_lowered",
              actor,
              keepApiTokens: passwordChanged || disabled ? u.keepApiTokens : true,
              tx,
            });
          }
        }
      }
      for (const t of config.templates) {
        const provider = await tx.providerConnection.findUniqueOrThrow({ where: { name: t.provider } });
        const data = {
          providerId: provider.id,
          providerRef: t.onProvider.ref.data,
          providerRefId: t.onProvider.ref.id,
          settings: t.onProvider.settings as Db.Prisma.InputJsonValue,
          public: t.public,
          enabled: t.enabled,
          ciuser: t.ciuser ?? null,
          os: t.os,
          description: t.description,
          minCpuCores: t.minCpuCores,
          minMemoryMb: t.minMemoryMb,
          minDiskGb: t.minDiskGb,
          defaultCpuCores: t.defaultCpuCores ?? null,
          defaultMemoryMb: t.defaultMemoryMb ?? null,
          defaultDiskGb: t.defaultDiskGb ?? null,
        };
        const before = await tx.template.findUnique({ where: { name: t.name } });
        const after = await tx.template.upsert({ where: { name: t.name }, create: { name: t.name, ...data }, update: data });
        if (t.users.length || before) {
          await tx.templateGrant.deleteMany({ where: { templateId: after.id } });
          const users = await tx.user.findMany({ where: { email: { in: t.users } }, select: { id: true } });
          await tx.templateGrant.createMany({ data: users.map((u) => ({ templateId: after.id, userId: u.id })) });
        }
        if (t.teams.length || before) {
          await tx.templateTeamGrant.deleteMany({ where: { templateId: after.id } });
          const teams = await tx.team.findMany({ where: { name: { in: t.teams } }, select: { id: true } });
          await tx.templateTeamGrant.createMany({ data: teams.map((team) => ({ templateId: after.id, teamId: team.id })) });
        }
        tally(report, "templates", !before);
        await recordAudit(tx, {
          actor,
          action: before ? "template.update" : "template.create",
          targetType: "template",
          targetId: after.id,
          before: before ?? undefined,
          after: { ...after, users: t.users, teams: t.teams },
        });
      }
      if (config.prices) {
        const p = config.prices;
        const before = await priceSnapshot(tx);
        const rows: [string, string, number | undefined][] = [
          ["vcpu_hour", "", p.vcpuHour],
          ["memory_gb_hour", "", p.memoryGbHour],
          ["disk_gb_month", "", p.diskGbMonth],
          ...Object.entries(p.gpuHour).map(([gpuType, amount]) => ["gpu_hour", gpuType, amount] as [string, string, number | undefined]),
        ];
        for (const [resource, gpuType, amount] of rows) {
          if (amount === undefined) continue;
          const where = { resource_gpuType: { resource, gpuType } };
          const existing = await tx.price.findUnique({ where });
          await tx.price.upsert({ where, create: { resource, gpuType, amount: amount.toFixed(4) }, update: { amount: amount.toFixed(4) } });
          tally(report, "prices", !existing);
        }
        if (p.currency) {
          const existing = await tx.setting.findUnique({ where: { key: CURRENCY_SETTING } });
          await tx.setting.upsert({ where: { key: CURRENCY_SETTING }, create: { key: CURRENCY_SETTING, value: p.currency }, update: { value: p.currency } });
          tally(report, "prices", !existing);
        }
        await recordAudit(tx, { actor, action: "prices.update", targetType: "prices", before, after: await priceSnapshot(tx) });
      }
    },
    { timeout: 60_000 },
  );
  return report;
}

export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([{ path: "(file)", message: `cannot read ${file}: ${(error as Error).message}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: "(file)", message: `not valid JSON: ${(error as Error).message}` }]);
  }
}
