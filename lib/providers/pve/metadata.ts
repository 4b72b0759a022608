import type { ProviderMetadata } from "../types";

/** What Proxmox VE tells the admin console (browser-safe). */
export const pveMetadata = {
  kind: "pve",
  label: "Proxmox VE",
  urlHint: "https://pve.example.com:8006",
  capabilities: {
    actions: ["start", "stop", "shutdown", "reboot", "delete", "resize"],
    placement: "host",
    placementLabel: "Node",
    gpus: { offered: false, rentalTypes: [] },
    sizes: "free",
  },
  templateSettingFields: [{ key: "storage", label: "Storage", hint: "Where clones go (PVE storage ID); empty: the connection's default" }],
  connectionSettingFields: [{ key: "defaultStorage", label: "Default storage", hint: "For new VMs when a template names none (PVE storage ID)." }],
} as const satisfies ProviderMetadata;
