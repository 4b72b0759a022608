import { db } from "../db/client";
import type { ProviderKindName } from "../schemas/catalog";
import { log } from "../log";
import type { HangarConfigInput } from "../schemas/config";

/**
 * Providers marked `simulated` are served by Hangar's simulator of their kind, started in this
 * process with the portal (the demo's 3-node Proxmox VE cluster, the demo VergeOS system). Their
 * state lives in memory: VMs made in an earlier run are gone after a restart.
 */
export const DEMO_PROVIDER = "demo-cluster";
export const DEMO_VERGEOS_PROVIDER = "demo-vergeos";

export async function demoClusterConfig(): Promise<Pick<HangarConfigInput, "providers" | "templates">> {
  const { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET } = await import("../providers/pve/simulator");
  return {
    providers: [
      {
        name: DEMO_PROVIDER,
        kind: "pve",
        url: "http://127.0.0.1:8006",
        tokenId: DEMO_TOKEN_ID,
        secret: DEMO_TOKEN_SECRET,
        tls: { verify: true },
        enabled: true,
        simulated: true,
      },
    ],
    templates: [
      { name: "ubuntu-24.04", provider: DEMO_PROVIDER, node: "pve1", vmid: 9000, public: true, enabled: true, ciuser: "ubuntu", os: "Ubuntu 24.04 LTS", description: "Ubuntu 24.04 LTS cloud image with cloud-init and the QEMU guest agent.", minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 32, users: [] },
      { name: "debian-12", provider: DEMO_PROVIDER, node: "pve2", vmid: 9001, public: true, enabled: true, ciuser: "debian", os: "Debian 12", description: "Debian 12 (Bookworm) generic cloud image.", minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 20, users: [] },
      { name: "rocky-9", provider: DEMO_PROVIDER, node: "pve3", vmid: 9002, public: true, enabled: true, ciuser: "rocky", os: "Rocky Linux 9", description: "Rocky Linux 9 GenericCloud image on shared NFS storage: can be placed on any node.", minCpuCores: 1, minMemoryMb: 2048, minDiskGb: 40, users: [] },
      { name: "windows-server-2022", provider: DEMO_PROVIDER, node: "pve1", vmid: 9003, public: false, enabled: true, os: "Windows Server 2022", description: "Windows Server 2022 Standard (licensed teams only: granted per user).", minCpuCores: 2, minMemoryMb: 4096, minDiskGb: 64, users: ["admin@hangar.local"] },
    ],
  };
}

/** The demo's simulated VergeOS system: one cluster, two templates, the "RTX 4090" resource group mapped to GPU type 4090 (the "A100" one is left unmapped). */
export async function demoVergeosConfig(): Promise<Pick<HangarConfigInput, "providers" | "templates">> {
  const { DEMO_API_KEY, DEMO_GPU_GROUPS } = await import("../providers/vergeos/simulator");
  return {
    providers: [
      {
        name: DEMO_VERGEOS_PROVIDER,
        kind: "vergeos",
        url: "http://127.0.0.1:9443",
        apiKey: DEMO_API_KEY,
        tls: { verify: true },
        enabled: true,
        simulated: true,
        gpuGroups: { "4090": [DEMO_GPU_GROUPS["RTX 4090"]] },
      },
    ],
    templates: [
      {
        name: "vergeos-ubuntu",
        provider: DEMO_VERGEOS_PROVIDER,
        vergeos: { mediaSource: "7", cluster: "1", vnet: "3", preferredTier: "1" },
        public: true,
        enabled: true,
        ciuser: "ubuntu",
        os: "Ubuntu 24.04 LTS",
        description: "Ubuntu 24.04 LTS cloud image on VergeOS (NVMe tier); RTX 4090 GPUs available.",
        minCpuCores: 1,
        minMemoryMb: 1024,
        minDiskGb: 8,
        users: [],
      },
      {
        name: "vergeos-rocky",
        provider: DEMO_VERGEOS_PROVIDER,
        vergeos: { mediaSource: "8", cluster: "1", vnet: "3", preferredTier: "3" },
        public: true,
        enabled: true,
        ciuser: "rocky",
        os: "Rocky Linux 9",
        description: "Rocky Linux 9 GenericCloud image on VergeOS (capacity tier).",
        minCpuCores: 1,
        minMemoryMb: 2048,
        minDiskGb: 20,
        users: [],
      },
    ],
  };
}

type Running = { stop: () => Promise<void> };

/** A simulator of one kind for one connection: `first` is true for the first simulator started (it may take HANGAR_SIMULATOR_PORT). */
type SimulatorStarter = (first: boolean) => Promise<{ url: string; stop: () => Promise<void> }>;

/** The simulator of each kind that has one (a kind without is left as it is). */
const simulatorStarters: Partial<Record<ProviderKindName, SimulatorStarter>> = {
  pve: async (first) => {
    const { startPveSimulator, demoClusterOptions } = await import("../providers/pve/simulator");
    const port = Number(process.env.HANGAR_SIMULATOR_PORT ?? 0) || 0;
    return startPveSimulator(demoClusterOptions({ port: first ? port : 0, authFailureDelayMs: 500 }));
  },
  vergeos: async () => {
    const { startVergeSimulator, demoVergeOptions } = await import("../providers/vergeos/simulator");
    return startVergeSimulator(demoVergeOptions({ host: "127.0.0.1", port: 0 }));
  },
};

/** Starts a simulator for every simulated provider and points the provider at it. */
export async function startSimulatedProviders(): Promise<Running> {
  const rows = await db().providerConnection.findMany({ orderBy: { name: "asc" } });
  const simulated = rows.filter((r) => (r.settings as { simulated?: boolean } | null)?.simulated === true && simulatorStarters[r.kind]);
  const sims: { stop: () => Promise<void> }[] = [];
  for (const row of simulated) {
    const sim = await simulatorStarters[row.kind]!(sims.length === 0);
    await db().providerConnection.update({ where: { id: row.id }, data: { baseUrl: sim.url } });
    log.info({ provider: row.name, kind: row.kind, url: sim.url }, "simulated provider started");
    sims.push(sim);
  }
  return { stop: async () => void (await Promise.all(sims.map((s) => s.stop()))) };
}
