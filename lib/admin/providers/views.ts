import { db } from "../../db/client";
import type { Db } from "../../db/client";
import { decryptJson } from "../../crypto/secrets";
import { notFound } from "../common";

/**
 * What the admin pages may know about a provider connection. Secrets never leave the server:
 * these views carry only which kind of credentials is stored and its non-secret login
 * (token id, user name, realm), never the ciphertext nor the secret itself.
 */
export type ProviderAuthView =
  | { method: "token"; tokenId: string }
  | { method: "password"; username: string; realm: string }
  | { method: "apiKey" }
  | { method: "unreadable" };

export type ProviderView = {
  id: string;
  name: string;
  kind: Db.ProviderKind;
  baseUrl: string;
  enabled: boolean;
  tlsVerify: boolean;
  tlsCa: string | null;
  tlsFingerprint: string | null;
  /** The kind's connection settings as text, by key (lib/providers/catalog.ts names them). */
  settings: Record<string, string>;
  simulated: boolean;
  auth: ProviderAuthView;
  templates: number;
  vms: number;
};

export type StoredCredentials = Partial<Record<"tokenId" | "secret" | "username" | "email" | "password" | "realm" | "apiKey", string>>;

/** The stored credentials, decrypted (server-side only), or null when the key cannot read them. */
export function storedCredentials(row: Pick<Db.ProviderConnection, "credentials">): StoredCredentials | null {
  try {
    return decryptJson<StoredCredentials>(row.credentials);
  } catch {
    return null;
  }
}

export function authView(creds: StoredCredentials | null): ProviderAuthView {
  if (!creds) return { method: "unreadable" };
  if (creds.tokenId) return { method: "token", tokenId: creds.tokenId };
  if (creds.apiKey) return { method: "apiKey" };
  if (creds.username) return { method: "password", username: creds.username, realm: creds.realm ?? "" };
  // Nova Cloud's login is an email (lib/providers/nova/provider.ts reads `email`, else `username`).
  if (creds.email) return { method: "password", username: creds.email, realm: "" };
  return { method: "unreadable" };
}

/**
 * A connection's settings: the kind's own (as text; a structured value such as a mapping as
 * JSON, which its module reads back) and whether the built-in simulator serves it.
 */
export function providerSettings(row: Pick<Db.ProviderConnection, "settings">): { settings: Record<string, string>; simulated: boolean } {
  const { simulated, ...own } = (row.settings ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? ""));
  return { settings: Object.fromEntries(Object.entries(own).map(([k, v]) => [k, text(v)])), simulated: simulated === true };
}

function view(row: Db.ProviderConnection & { _count: { templates: number; vms: number } }): ProviderView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseUrl: row.baseUrl,
    enabled: row.enabled,
    tlsVerify: row.tlsVerify,
    tlsCa: row.tlsCa,
    tlsFingerprint: row.tlsFingerprint,
    ...providerSettings(row),
    auth: authView(storedCredentials(row)),
    templates: row._count.templates,
    vms: row._count.vms,
  };
}

const counts = { _count: { select: { templates: true, vms: { where: { deletedAt: null } } } } } as const;

export async function listProviders(): Promise<ProviderView[]> {
  const rows = await db().providerConnection.findMany({ orderBy: { name: "asc" }, include: counts });
  return rows.map(view);
}

export async function getProvider(id: string): Promise<ProviderView> {
  const row = await db().providerConnection.findUnique({ where: { id }, include: counts });
  if (!row) throw notFound("Provider");
  return view(row);
}

/** Names and kinds, for pickers (e.g. a plan's allowed providers). */
export async function providerOptions(): Promise<{ id: string; name: string; kind: Db.ProviderKind }[]> {
  return db().providerConnection.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, kind: true } });
}
