import type { VergeSimulatorOptions } from "./server";
import type { SimSeed } from "./state";

/** The demo system's credentials (the portal's zero-setup demo uses them). */
export const DEMO_API_KEY = "vergeos-demo-api-key-8f3a1c2e";
export const DEMO_USER = "admin";
export const DEMO_PASSWORD = "hangar-demo";

/** Resource group UUIDs of the demo GPUs (stable, so configuration can name them). */
export const DEMO_GPU_GROUPS = {
  "RTX 4090": "1f67f07e-f653-db95-c475-01b8a2ea0ff1",
  A100: "7c2d9a40-3b1e-4f6a-9d85-0e4b2c6f8a13",
} as const;

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

/**
 * One cluster, one external vnet (key 3 is the seed's example; keys 1-2 are internal ones), two
 * storage tiers (1: 2 TiB NVMe, 3: 10 TiB), two media sources (`files` 7 Ubuntu 24.04 qcow2 and 8
 * Rocky 9 qcow2) for two templates, two GPU resource groups: "RTX 4090" (2 devices) and "A100"
 * (1 device), plus vGPU devices for discovery.
 */
export function demoSeed(): SimSeed {
  return {
    clusters: [{ name: "hangar-verge", description: "Demo cluster", max_ram_per_vm: 512 * 1024, max_cores_per_vm: 64 }],
    vnets: [
      { name: "Core", type: "internal", network: "100.64.0.0/16" },
      { name: "DMZ", type: "dmz", network: "192.168.10.0/24" },
      { name: "External", type: "external", network: "10.20.3.0/24" },
    ],
    tiers: [
      { tier: 1, description: "NVMe", capacity: 2 * TiB, used: 200 * GiB },
      { tier: 3, description: "Capacity", capacity: 10 * TiB, used: 1 * TiB },
    ],
    files: [
      { name: "ubuntu-24.04-server-cloudimg-amd64.qcow2", type: "qcow2", filesize: 3.5 * GiB },
      { name: "Rocky-9-GenericCloud.latest.x86_64.qcow2", type: "qcow2", filesize: 10 * GiB },
    ],
    resourceGroups: [
      { uuid: DEMO_GPU_GROUPS["RTX 4090"], name: "RTX 4090", description: "NVIDIA GeForce RTX 4090 passthrough", type: "node_host_gpu_devices", class: "gpu", enabled: true, devices: 2 },
      { uuid: DEMO_GPU_GROUPS.A100, name: "A100", description: "NVIDIA A100 80GB passthrough", type: "node_pci_devices", class: "gpu", enabled: true, devices: 1 },
    ],
    vgpuDevices: [
      { node: 1, name: "NVIDIA A100 80GB PCIe", slot: "0000:41:00.0", max_instances: 7 },
      { node: 1, name: "NVIDIA GeForce RTX 4090", slot: "0000:81:00.0", max_instances: 1 },
    ],
  };
}

/** Simulator options for the demo: all three auth modes, human-paced power changes. */
export function demoVergeOptions(overrides: Partial<VergeSimulatorOptions> = {}): VergeSimulatorOptions {
  return {
    seed: demoSeed(),
    apiKeys: [DEMO_API_KEY],
    users: [{ username: DEMO_USER, password: DEMO_PASSWORD }],
    powerOnMs: 2500,
    powerOffMs: 2000,
    agentDelayMs: 3000,
    ...overrides,
  };
}
