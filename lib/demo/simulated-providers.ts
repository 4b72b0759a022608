import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import type { ProviderKind } from "../providers/types";
import type { HangarConfigInput } from "../schemas/config";

/**
 * Providers marked `simulated` are served by Hangar's built-in simulator of their kind, started
 * in this process with the portal (the demo's 3-node Proxmox VE cluster, its VergeOS system, its
 * Nova Cloud account). Their state lives in memory: VMs made in an earlier run are gone after a
 * restart.
 */
export const DEMO_PROVIDER = "demo-cluster";
export const DEMO_VERGEOS_PROVIDER = "demo-vergeos";
export const DEMO_NOVA_PROVIDER = "nova-demo";

type DemoConfig = Pick<HangarConfigInput, "providers" | "templates">;

export async function demoClusterConfig(): Promise<DemoConfig> {
  const { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, DEMO_GPU_MAPPING } = await import("../providers/pve/simulator");
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
        // Two RTX 4090s in pve1 behind the PCI mapping "rtx4090": GPU type 4090 on the cluster's templates.
        gpuMappings: { "4090": [DEMO_GPU_MAPPING] },
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
export async function demoVergeosConfig(): Promise<DemoConfig> {
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

/**
 * The demo's Nova Cloud account (simulated: $2,500 of balance, GPU types 5090, 4090 and 6000pro on
 * nodes vm01 and vm02) and the five templates of Nova's docs.
 */
export async function demoNovaConfig(): Promise<DemoConfig> {
  const { NOVA_DEMO_API_KEY } = await import("../providers/nova/simulator");
  const gpu = { public: true, enabled: true, minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 50, defaultDiskGb: 100, users: [] };
  return {
    providers: [{ name: DEMO_NOVA_PROVIDER, kind: "nova", url: "http://127.0.0.1:8443", apiKey: NOVA_DEMO_API_KEY, tls: { verify: true }, enabled: true, simulated: true }],
    templates: [
      { name: "ubuntu22-nvidia", provider: DEMO_NOVA_PROVIDER, nova: { templateVmid: 100 }, os: "Ubuntu 22.04 LTS", description: "Ubuntu 22.04 with NVIDIA drivers, on a rented GPU (SSH).", ...gpu },
      { name: "ubuntu24-nvidia", provider: DEMO_NOVA_PROVIDER, nova: { templateVmid: 101 }, os: "Ubuntu 24.04 LTS", description: "Ubuntu 24.04 with NVIDIA drivers, on a rented GPU (SSH).", ...gpu },
      { name: "stable-diffusion", provider: DEMO_NOVA_PROVIDER, nova: { templateVmid: 102 }, os: "Ubuntu", description: "Stable Diffusion (AUTOMATIC1111 web UI) on a rented GPU.", ...gpu },
      { name: "comfyui", provider: DEMO_NOVA_PROVIDER, nova: { templateVmid: 103 }, os: "Ubuntu", description: "ComfyUI node-based image generation on a rented GPU.", ...gpu },
      { name: "linux-desktop", provider: DEMO_NOVA_PROVIDER, nova: { templateVmid: 104 }, os: "Ubuntu", description: "A Linux desktop with Jupyter on a rented GPU (SSH, web UI).", ...gpu },
    ],
  };
}

/** Every simulated provider of the zero-setup demo, with its templates. */
export async function demoProvidersConfig(): Promise<DemoConfig> {
  const parts = await Promise.all([demoClusterConfig(), demoVergeosConfig(), demoNovaConfig()]);
  return { providers: parts.flatMap((p) => p.providers ?? []), templates: parts.flatMap((p) => p.templates ?? []) };
}

/** A running simulator: its URL, how to stop it, and its in-process handle (tests and admin hooks, e.g. interrupting a rental). */
export type RunningSimulator = { url: string; stop: () => Promise<void>; handle: unknown };

/** Starts the simulator of one simulated connection; `first`: the first of its kind (which may take a fixed port). */
type SimulatorStarter = (row: Db.ProviderConnection, first: boolean) => Promise<RunningSimulator>;

/** One starter per kind that has a simulator. */
const simulatorStarters: Partial<Record<ProviderKind, SimulatorStarter>> = {
  pve: async (_row, first) => {
    const { startPveSimulator, demoClusterOptions } = await import("../providers/pve/simulator");
    const port = Number(process.env.HANGAR_SIMULATOR_PORT ?? 0) || 0;
    // The control endpoints (/__simulator/faults…) let demos and browser tests inject PVE failures;
    // the simulator listens on loopback only, like the Nova one.
    const sim = await startPveSimulator(demoClusterOptions({ port: first ? port : 0, authFailureDelayMs: 500, controlApi: true }));
    return { url: sim.url, stop: () => sim.stop(), handle: sim };
  },
  vergeos: async () => {
    const { startVergeSimulator, demoVergeOptions } = await import("../providers/vergeos/simulator");
    const sim = await startVergeSimulator(demoVergeOptions({ host: "127.0.0.1", port: 0 }));
    return { url: sim.url, stop: () => sim.stop(), handle: sim };
  },
  nova: async (_row, first) => {
    const { startNovaSimulator, demoNovaOptions } = await import("../providers/nova/simulator");
    // A known port lets browser tests and demos reach its control endpoints (e.g. interrupt a rental).
    const port = Number(process.env.HANGAR_NOVA_SIMULATOR_PORT ?? 0) || 0;
    const sim = await startNovaSimulator(demoNovaOptions({ port: first ? port : 0 }));
    return { url: sim.url, stop: () => sim.stop(), handle: sim };
  },
};

const running = ((globalThis as Record<string, unknown>).__hangarSimulators ??= new Map<string, RunningSimulator>()) as Map<string, RunningSimulator>;

/** The running simulator of a simulated connection (by its name), or undefined. */
export function runningSimulator(providerName: string): RunningSimulator | undefined {
  return running.get(providerName);
}

/** Starts a simulator for every simulated provider and points the provider at it. */
export async function startSimulatedProviders(): Promise<{ stop: () => Promise<void> }> {
  const rows = await db().providerConnection.findMany({ orderBy: { name: "asc" } });
  const simulated = rows.filter((r) => (r.settings as { simulated?: boolean } | null)?.simulated === true);
  const started: string[] = [];
  const kinds = new Set<ProviderKind>();
  for (const row of simulated) {
    const start = simulatorStarters[row.kind];
    if (!start) {
      log.warn({ provider: row.name, kind: row.kind }, "no simulator for this provider kind");
      continue;
    }
    const sim = await start(row, !kinds.has(row.kind));
    kinds.add(row.kind);
    await db().providerConnection.update({ where: { id: row.id }, data: { baseUrl: sim.url } });
    log.info({ provider: row.name, kind: row.kind, url: sim.url }, "simulated provider started");
    running.set(row.name, sim);
    started.push(row.name);
  }
  return {
    stop: async () => {
      const sims = started.map((name) => running.get(name)).filter((s): s is RunningSimulator => !!s);
      for (const name of started) running.delete(name);
      await Promise.all(sims.map((s) => s.stop()));
    },
  };
}

/**
 * Demo hook: the provider interrupts a running interruptible rental, as when an on-demand customer
 * needs its GPU (`npm run hangar -- simulator interrupt VM_NAME`). Only for VMs on a simulated
 * provider whose simulator can interrupt (Nova Cloud); talks to it over its control endpoint, so
 * it works from another process than the portal's, then queues an interruptions sweep so that a
 * worker notices at once. Throws an AppError with a message for the admin.
 */
export async function interruptSimulatedVm(vmName: string): Promise<string> {
  const vm = await db().vm.findFirst({ where: { name: vmName, deletedAt: null }, include: { provider: true } });
  if (!vm) throw new AppError("bad_request", `No VM named "${vmName}"`);
  if ((vm.provider.settings as { simulated?: boolean } | null)?.simulated !== true) throw new AppError("bad_request", `${vm.provider.name} is not a simulated provider`);
  if (vm.provider.kind !== "nova") throw new AppError("bad_request", `The ${vm.provider.kind} simulator cannot interrupt VMs`);
  if (!vm.providerRefId) throw new AppError("bad_request", `${vmName} has no VM on its provider yet`);
  const res = await fetch(`${vm.provider.baseUrl}/__simulator/interrupt`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ vm_id: vm.providerRefId }),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => {
    throw new AppError("bad_request", `The simulator of ${vm.provider.name} did not answer (is the portal running?): ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!res.ok) throw new AppError("bad_request", `The simulator refused: ${((await res.json().catch(() => ({}))) as { detail?: string }).detail ?? `HTTP ${res.status}`}`);
  // The portal notices at once (a worker's sweep) instead of at its next scheduled sweep, within a minute.
  const { queueInterruptionSweep } = await import("../jobs/interruptions");
  const queued = await queueInterruptionSweep();
  return `${vmName} (${vm.providerRefId} on ${vm.provider.name}) was interrupted${queued ? "; the portal checks its interruptible VMs now" : "; the portal notices within a minute"}`;
}
