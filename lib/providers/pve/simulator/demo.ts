import type { PveSimulatorOptions } from "./types";

/** The demo cluster's API token (printed by main.ts; the portal's zero-setup demo uses it). */
export const DEMO_TOKEN_ID = "root@pam!hangar";
export const DEMO_TOKEN_SECRET = "5e1c7a2b-9d3f-4b8e-a6c1-0f2d4e6a8b9c";
export const DEMO_PASSWORD = "hangar-demo";

/** The demo cluster's PCI resource mapping of its two RTX 4090s (both in pve1), mapped to the portal's GPU type 4090. */
export const DEMO_GPU_MAPPING = "rtx4090";

/**
 * A 3-node demo cluster: pve1..pve3 with local (dir), local-lvm (lvmthin) and a shared NFS store,
 * four templates spread over the nodes (the Rocky template on NFS, so it can be cloned to any
 * node), and two RTX 4090s in pve1 behind the PCI resource mapping `rtx4090`.
 */
export function demoClusterOptions(overrides: Partial<PveSimulatorOptions> = {}): PveSimulatorOptions {
  return {
    version: "9.1",
    nodes: [
      { name: "pve1", cpus: 32, memoryMb: 256 * 1024 },
      { name: "pve2", cpus: 32, memoryMb: 256 * 1024 },
      { name: "pve3", cpus: 48, memoryMb: 384 * 1024 },
    ],
    storages: [
      { storage: "local", type: "dir", content: ["iso", "vztmpl", "backup"], totalGb: 100 },
      { storage: "local-lvm", type: "lvmthin", content: ["images", "rootdir"], totalGb: 1800 },
      { storage: "NFS", type: "nfs", content: ["images", "iso", "backup"], shared: true, totalGb: 8192 },
    ],
    templates: [
      { node: "pve1", vmid: 9000, name: "ubuntu-24.04-template", cores: 2, memory: 2048, diskGb: 32, ostype: "l26", tags: "linux;template;ubuntu", description: "Ubuntu 24.04 LTS (Noble Numbat) cloud image with cloud-init and qemu-guest-agent" },
      { node: "pve2", vmid: 9001, name: "debian-12-template", cores: 2, memory: 2048, diskGb: 20, ostype: "l26", tags: "debian;linux;template", description: "Debian 12 (Bookworm) generic cloud image" },
      { node: "pve3", vmid: 9002, name: "rocky-9-template", cores: 2, memory: 4096, diskGb: 40, ostype: "l26", storage: "NFS", tags: "linux;rocky;template", description: "Rocky Linux 9 GenericCloud image" },
      { node: "pve1", vmid: 9003, name: "win2022-template", cores: 4, memory: 8192, diskGb: 64, ostype: "win11", tags: "template;windows", description: "Windows Server 2022 Standard, sysprepped, cloudbase-init" },
    ],
    pciMappings: [
      {
        id: DEMO_GPU_MAPPING,
        description: "NVIDIA GeForce RTX 4090 (24 GB)",
        devices: [
          { node: "pve1", path: "0000:01:00", id: "10de:2684", iommugroup: 14, subsystemId: "10de:167c" },
          { node: "pve1", path: "0000:41:00", id: "10de:2684", iommugroup: 32, subsystemId: "10de:167c" },
        ],
      },
    ],
    pools: ["hangar"],
    tokens: [{ tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }],
    users: [{ username: "root@pam", password: DEMO_PASSWORD }],
    firstVmid: 100,
    agentDelayMs: 4000,
    taskDurationMs: { qmclone: 4000, qmcreate: 2500, qmstart: 1500, qmshutdown: 2500, qmreboot: 3000, qmstop: 800, qmdestroy: 1200, qmconfig: 400, resize: 800 },
    clusterName: "hangar-demo",
    ...overrides,
  };
}
