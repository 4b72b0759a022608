import type { ProviderKind, ProviderMetadata } from "./types";
import { novaMetadata } from "./nova/metadata";
import { pveMetadata } from "./pve/metadata";
import { vergeosMetadata } from "./vergeos/metadata";

/**
 * What each provider kind tells the admin console: label, URL hint, capabilities, template
 * settings fields, and whether Hangar can drive it yet. Browser-safe (no clients here).
 */
export const PROVIDER_CATALOG: Record<ProviderKind, ProviderMetadata & { available: boolean }> = {
  pve: { ...pveMetadata, available: true },
  vergeos: { ...vergeosMetadata, available: true },
  nova: { ...novaMetadata, available: true },
};

/** Why a connection of `kind` cannot be enabled, or null when it can. */
export function enableProblem(kind: ProviderKind): string | null {
  const entry = PROVIDER_CATALOG[kind];
  return entry.available ? null : `${entry.label} is not supported yet: save the connection disabled`;
}
