import type { SimGpuType, SimNode, SimTemplate } from "./types";

/**
 * The simulator's catalogue: three GPU types (names as the create-vm doc spells them), two nodes.
 * Prices are made up, in the range public GPU clouds charge.
 */
export const DEFAULT_GPU_TYPES: SimGpuType[] = [
  { type: "5090", ramMb: 32_768, hourly: "0.89", interruptibleHourly: "0.36", cpuCoresPerGpu: 8, ramGbPerGpu: 48, cpuModel: "AMD EPYC 9354", pcieGen: "5.0" },
  { type: "4090", ramMb: 24_576, hourly: "0.55", interruptibleHourly: "0.22", cpuCoresPerGpu: 6, ramGbPerGpu: 32, cpuModel: "AMD EPYC 7543", pcieGen: "4.0" },
  { type: "6000pro", ramMb: 98_304, hourly: "1.85", interruptibleHourly: "0.74", cpuCoresPerGpu: 12, ramGbPerGpu: 96, cpuModel: "AMD EPYC 9554", pcieGen: "5.0" },
];

export const DEFAULT_NODES: SimNode[] = [
  { id: "vm01", location: "EU-Central", gpus: { "5090": 8, "4090": 8 } },
  { id: "vm02", location: "US-East", gpus: { "4090": 4, "6000pro": 4 } },
];

/** The five templates of Nova's docs (introduction page); ids change between doc versions. */
export const DEFAULT_TEMPLATES: SimTemplate[] = [
  { vmid: 100, name: "Ubuntu 22.04 + NVIDIA drivers" },
  { vmid: 101, name: "Ubuntu 24.04 + NVIDIA drivers" },
  { vmid: 102, name: "Stable Diffusion (AUTOMATIC1111)" },
  { vmid: 103, name: "ComfyUI" },
  { vmid: 104, name: "Linux Desktop" },
];
