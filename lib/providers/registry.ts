import { createHash } from "node:crypto";
import type { Db } from "../db/client";
import { decryptJson } from "../crypto/secrets";
import { env } from "../env";
import { AppError } from "../errors";
import { novaModule } from "./nova/module";
import { pveModule } from "./pve/module";
import type { PlannedProvider, ProviderClient, ProviderConnectionConfig, ProviderKind, ProviderModule } from "./types";
import { vergeosModule } from "./vergeos/module";

/**
 * Every provider kind mapped to its module: one line per kind, no empty slots. A kind that is
 * only announced (`available: false`) cannot be enabled and has no client.
 */
export const providerModules: Record<ProviderKind, ProviderModule | PlannedProvider> = {
  pve: pveModule,
  vergeos: vergeosModule,
  nova: novaModule,
};

/** The module of `kind`; a kind Hangar cannot drive yet is a 400 with a clear message. */
export function moduleFor(kind: ProviderKind): ProviderModule {
  const entry = providerModules[kind];
  if (!entry.available) throw new AppError("bad_request", `${entry.label} is not supported yet`);
  return entry;
}

/** A stored connection as its provider needs it: secrets decrypted, deadlines from the environment. */
export function connectionConfig(row: Db.ProviderConnection): ProviderConnectionConfig {
  return {
    name: row.name,
    kind: row.kind,
    baseUrl: row.baseUrl,
    credentials: decryptJson<Record<string, string>>(row.credentials),
    tls: { verify: row.tlsVerify, ca: row.tlsCa ?? undefined, fingerprint: row.tlsFingerprint ?? undefined },
    settings: (row.settings ?? {}) as Record<string, unknown>,
    timeouts: { requestMs: env().HANGAR_PROVIDER_TIMEOUT_SECONDS * 1000, callMs: env().HANGAR_PROVIDER_CALL_TIMEOUT_SECONDS * 1000 },
  };
}

type Cached = { fingerprint: string; client: ProviderClient };
const holder = ((globalThis as Record<string, unknown>).__hangarProviderClients ??= new Map<string, Cached>()) as Map<string, Cached>;

/** Everything a client is built from (the row and the deadlines): a change of any of it builds a new client. */
function fingerprintOf(row: Db.ProviderConnection): string {
  const deadlines = `${env().HANGAR_PROVIDER_TIMEOUT_SECONDS}/${env().HANGAR_PROVIDER_CALL_TIMEOUT_SECONDS}`;
  const parts = [row.name, row.kind, row.baseUrl, row.credentials, String(row.tlsVerify), row.tlsCa ?? "", row.tlsFingerprint ?? "", JSON.stringify(row.settings ?? {}), deadlines];
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/**
 * The client of a stored connection, built once per connection and reused (it keeps its
 * HTTP(S) connections alive); rebuilt when the connection's settings or credentials change.
 */
export function providerFor(row: Db.ProviderConnection): ProviderClient {
  const fingerprint = fingerprintOf(row);
  const cached = holder.get(row.id);
  if (cached?.fingerprint === fingerprint) return cached.client;
  const client = moduleFor(row.kind).connect(connectionConfig(row));
  holder.set(row.id, { fingerprint, client });
  // A request still running on the old client finishes on its own sockets.
  if (cached) setTimeout(() => cached.client.close(), 60_000).unref();
  return client;
}

/** Closes every cached client (tests, shutdown). */
export function closeProviderClients(): void {
  for (const { client } of holder.values()) client.close();
  holder.clear();
}
