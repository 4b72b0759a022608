import { db } from "../db/client";
import { log } from "../log";
import type { HangarConfigInput } from "../schemas/config";

/**
 * Providers marked `simulated` are served by Hangar's PVE simulator, started in this process
 * with the portal (the demo's 3-node cluster). Their state lives in memory: VMs made in an
 * earlier run are gone after a restart.
 */
export const DEMO_PROVIDER = "demo-cluster";

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

type Running = { stop: () => Promise<void> };

/** Starts a simulator for every simulated provider and points the provider at it. */
export async function startSimulatedProviders(): Promise<Running> {
  const rows = await db().providerConnection.findMany({ where: { kind: "pve" } });
  const simulated = rows.filter((r) => (r.settings as { simulated?: boolean } | null)?.simulated === true);
  if (simulated.length === 0) return { stop: async () => undefined };
  const { startPveSimulator, demoClusterOptions } = await import("../providers/pve/simulator");
  const sims: { stop: () => Promise<void> }[] = [];
  for (const row of simulated) {
    const port = Number(process.env.HANGAR_SIMULATOR_PORT ?? 0) || 0;
    const sim = await startPveSimulator(demoClusterOptions({ port: sims.length === 0 ? port : 0, authFailureDelayMs: 500 }));
    await db().providerConnection.update({ where: { id: row.id }, data: { baseUrl: sim.url } });
    log.info({ provider: row.name, url: sim.url }, "simulated PVE cluster started");
    sims.push(sim);
  }
  return { stop: async () => void (await Promise.all(sims.map((s) => s.stop()))) };
}
