import { db } from "../../db/client";
import { enableProblem } from "../../providers/catalog";
import { providerModules } from "../../providers/registry";
import type { Db } from "../../db/client";
import { encryptJson } from "../../crypto/secrets";
import type { ProviderForm } from "../../schemas/admin";
import { audit, fieldError, isUniqueViolation, notFound, TX_OPTIONS, type AdminActor } from "../common";
import { authView, providerSettings, storedCredentials, type StoredCredentials } from "./views";

/**
 * The credentials to store: PVE `{tokenId, secret}` or `{username, password, realm}`; VergeOS
 * `{apiKey}` or `{username, password}` (HTTP Basic or a session token: the connection's
 * `passwordAuth`); Nova Cloud `{apiKey}` or `{email, password}`. A secret left empty on edit keeps
 * the stored one, but only for the same login: a new token id, user or kind needs its own secret.
 */
export function credentialsFor(input: ProviderForm, existing: Db.ProviderConnection | null): Record<string, string> {
  const stored: StoredCredentials = (existing && storedCredentials(existing)) ?? {};
  const sameKind = existing?.kind === input.kind;
  const keep = (field: "secret" | "password" | "apiKey", sameLogin: boolean, what: string): string => {
    const stillStored = sameKind && sameLogin ? stored[field] : undefined;
    if (stillStored) return stillStored;
    throw fieldError(field, existing && stored[field] ? `Required: the stored ${what} belongs to another login` : `Required: no ${what} is stored`);
  };
  if (input.kind === "pve" && input.pveAuth === "token") {
    return { tokenId: input.tokenId, secret: input.secret || keep("secret", stored.tokenId === input.tokenId, "token secret") };
  }
  if (input.kind === "pve") {
    const realm = input.realm || "pam";
    return {
      username: input.username,
      password: input.password || keep("password", stored.username === input.username && (stored.realm ?? "pam") === realm, "password"),
      realm,
    };
  }
  if (input.authMode === "password" || input.authMode === "session") {
    // VergeOS: a user name (HTTP Basic, or a session token); Nova Cloud: the account's email (POST /auth/login).
    const login = input.kind === "nova" ? "email" : "username";
    const storedLogin = stored.email ?? stored.username;
    return { [login]: input.username, password: input.password || keep("password", storedLogin === input.username, "password") };
  }
  if (!input.authMode && !input.apiKey && sameKind && input.kind === "vergeos" && !stored.apiKey && stored.username && stored.password) {
    // A VergeOS connection configured with a user (configuration file) keeps it until a key is given.
    return { username: stored.username, password: stored.password };
  }
  return { apiKey: input.apiKey || keep("apiKey", true, "API key") };
}

/** The audit snapshot of a connection: no credentials, but which login is used. */
function snapshot(row: Db.ProviderConnection, rotated?: boolean) {
  const auth = authView(storedCredentials(row));
  const { credentials: _credentials, ...rest } = row;
  return { ...rest, authMethod: auth.method, login: auth.method === "token" ? auth.tokenId : auth.method === "password" ? `${auth.username}@${auth.realm}` : null, ...(rotated !== undefined && { rotated }) };
}

/** The kind's connection settings from the form (empty fields left out), checked by its module; a kind without a module has none. */
function kindSettings(input: ProviderForm): Record<string, unknown> {
  const entry = providerModules[input.kind];
  const given = Object.fromEntries(Object.entries(input.settings ?? {}).filter(([, v]) => v !== ""));
  if (!entry.available) return {};
  const parsed = entry.connectionSettings.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fieldError(["settings", ...issue.path.map(String)].join("."), issue.message);
  }
  // VergeOS: the form's login choice says how a user name and password are used (lib/providers/vergeos/module-schemas.ts).
  if (input.kind === "vergeos" && input.authMode) {
    const { passwordAuth: _given, ...rest } = parsed.data;
    if (input.authMode === "session") return { ...rest, passwordAuth: "token" };
    if (input.authMode === "password") return { ...rest, passwordAuth: "basic" };
    return rest;
  }
  return parsed.data;
}

/** Creates (no `id`) or updates a provider connection, audited. Returns its id. */
export async function saveProvider(input: ProviderForm, actor: AdminActor): Promise<{ id: string }> {
  try {
    return await db().$transaction(async (tx) => {
      const existing = input.id ? await tx.providerConnection.findUnique({ where: { id: input.id } }) : null;
      if (input.id && !existing) throw notFound("Provider");
      const clash = await tx.providerConnection.findUnique({ where: { name: input.name }, select: { id: true } });
      if (clash && clash.id !== input.id) throw fieldError("name", "A provider with this name already exists", "conflict");

      const credentials = credentialsFor(input, existing);
      // A kind Hangar cannot drive yet would fail on every use: it may only be stored disabled.
      const cannotEnable = input.enabled ? enableProblem(input.kind) : null;
      if (cannotEnable) throw fieldError("enabled", cannotEnable);
      const previous = existing ? storedCredentials(existing) : null;
      const rotated = !previous || JSON.stringify(previous) !== JSON.stringify(credentials);
      const settings = { ...kindSettings(input), ...(existing && providerSettings(existing).simulated ? { simulated: true } : {}) };
      const data = {
        name: input.name,
        kind: input.kind,
        // A simulated connection's address is set by the portal at start-up: keep it.
        baseUrl: existing && providerSettings(existing).simulated ? existing.baseUrl : input.url,
        credentials: rotated || !existing ? encryptJson(credentials) : existing.credentials,
        tlsVerify: input.tlsVerify,
        tlsCa: input.tlsCa || null,
        tlsFingerprint: input.tlsFingerprint ? input.tlsFingerprint.toUpperCase() : null,
        settings: settings as Db.Prisma.InputJsonValue,
        enabled: input.enabled,
      };
      const row = existing
        ? await tx.providerConnection.update({ where: { id: existing.id }, data })
        : await tx.providerConnection.create({ data });
      await audit(tx, actor, existing ? "provider.update" : "provider.create", "provider", row.id, existing ? snapshot(existing) : undefined, snapshot(row, rotated));
      return { id: row.id };
    }, TX_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldError("name", "A provider with this name already exists", "conflict");
    throw error;
  }
}
