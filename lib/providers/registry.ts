import type { Db } from "../db/client";
import { decryptJson } from "../crypto/secrets";
import { env } from "../env";
import { PveProvider } from "./pve/provider";
import type { ProviderConnectionConfig, ProviderKind, VmProvider } from "./types";

/** Provider kinds mapped to their implementations: no string mangling, one place to add a kind. */
const factories: Record<ProviderKind, ((config: ProviderConnectionConfig) => VmProvider) | undefined> = {
  pve: (config) => new PveProvider(config),
  vergeos: undefined,
  nova: undefined,
};

/** A stored connection as its provider needs it: secrets decrypted, deadlines from the environment. */
export function connectionConfig(row: Db.ProviderConnection): ProviderConnectionConfig {
  return {
    kind: row.kind,
    baseUrl: row.baseUrl,
    credentials: decryptJson<Record<string, string>>(row.credentials),
    tls: { verify: row.tlsVerify, ca: row.tlsCa ?? undefined, fingerprint: row.tlsFingerprint ?? undefined },
    settings: (row.settings ?? {}) as Record<string, unknown>,
    timeouts: { requestMs: env().HANGAR_PROVIDER_TIMEOUT_SECONDS * 1000, callMs: env().HANGAR_PROVIDER_CALL_TIMEOUT_SECONDS * 1000 },
  };
}

export function providerFor(row: Db.ProviderConnection): VmProvider {
  const factory = factories[row.kind];
  if (!factory) throw new Error(`Provider kind "${row.kind}" is not supported yet`);
  return factory(connectionConfig(row));
}
