import type { GpuOffer, ProviderClient, VmPowerState } from "../providers/types";

/**
 * A test-only GPU provider double: wraps a real client (e.g. the PVE simulator's) and adds the
 * optional GPU methods of the provider interface, answering from `gpuDouble`'s fields, which a
 * test sets. Integration tests inject it with `vi.mock` of lib/providers/registry (providerFor)
 * and lib/providers/catalog (capabilities); no kind is added to the registry.
 */
export type GpuDouble = {
  offers: GpuOffer[];
  sizes: "free" | "offers";
  /** The provider's reservation quote (`quote()`), or null: the method is absent. */
  quote: Record<string, string | null> | null;
  /** Power states to report instead of the real client's, by the VM's provider ref id. */
  status: Map<string, VmPowerState>;
  offersCalls: number;
};

export function newGpuDouble(): GpuDouble {
  return { offers: [], sizes: "free", quote: null, status: new Map(), offersCalls: 0 };
}

export function gpuOffer(over: Partial<GpuOffer> = {}): GpuOffer {
  return {
    gpuType: "4090",
    label: "RTX 4090",
    memoryGb: 24,
    counts: [1, 2, 4, 8],
    total: 8,
    available: 8,
    rates: { gpuHour: "0.35", storageGbHour: "0.0002", currency: "USD" },
    rentalTypes: ["on_demand", "reserved_1m", "reserved_3m", "reserved_6m", "interruptible"],
    ...over,
  };
}

/** `client` with the double's GPU methods and status overrides (its own methods still run against it). */
export function withGpuDouble(client: ProviderClient, double: GpuDouble): ProviderClient {
  const wrapped: ProviderClient = Object.create(client) as ProviderClient;
  wrapped.gpuOffers = async () => {
    double.offersCalls++;
    return structuredClone(double.offers);
  };
  if (double.quote) {
    const quote = double.quote;
    wrapped.quote = async () => ({ ...quote });
  }
  // The double's GPUs exist only in the portal: the real client builds the VM without them
  // (its own GPU checks and steps, e.g. PVE's PCI mappings, never see the double's GPU types).
  const withoutGpus = <T extends { size: { gpus: Record<string, number | undefined> } }>(request: T): T => ({ ...request, size: { ...request.size, gpus: {} } });
  wrapped.precheck = (request) => client.precheck(withoutGpus(request));
  wrapped.createSteps = (request, accepted) => client.createSteps(withoutGpus(request), accepted);
  wrapped.status = async (ref) => {
    const state = double.status.get(ref.id);
    return state ? { state } : client.status(ref);
  };
  return wrapped;
}
