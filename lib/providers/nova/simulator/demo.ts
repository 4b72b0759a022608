import { DEFAULT_GPU_TYPES, DEFAULT_NODES, DEFAULT_TEMPLATES } from "./defaults";
import type { NovaSimulatorOptions } from "./types";

/** The demo account's API key and login (printed by main.ts; the zero-setup demo uses the key). */
export const NOVA_DEMO_API_KEY = "nv_live_hangar_demo_0123456789abcdef";
export const NOVA_DEMO_EMAIL = "demo@hangar.local";
export const NOVA_DEMO_PASSWORD = "hangar-demo-password";

/**
 * A simulated Nova account with $2,500 of balance, the three GPU types on two nodes, and the five
 * templates of Nova's docs: 100 Ubuntu 22.04 + NVIDIA, 101 Ubuntu 24.04 + NVIDIA, 102 Stable
 * Diffusion, 103 ComfyUI, 104 Linux Desktop. Creation takes a few seconds, as a demo should show.
 */
export function demoNovaOptions(overrides: Partial<NovaSimulatorOptions> = {}): NovaSimulatorOptions {
  return {
    gpuTypes: DEFAULT_GPU_TYPES,
    nodes: DEFAULT_NODES,
    templates: DEFAULT_TEMPLATES,
    balance: "2500.00",
    currency: "USD",
    apiKeys: [NOVA_DEMO_API_KEY],
    users: [{ email: NOVA_DEMO_EMAIL, password: NOVA_DEMO_PASSWORD }],
    durations: { creatingMs: 4000, startingMs: 3000, stoppingMs: 1500, purgeMs: 5000 },
    ...overrides,
  };
}
