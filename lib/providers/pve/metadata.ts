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
    gpus: { offered: true, rentalTypes: ["on_demand"] },
    sizes: "free",
    cloudInit: {
      maxSshKeys: 20,
      minPasswordLength: 8,
      // cicustom only names a snippet file on a storage, and the API's upload takes iso, vztmpl and import content, not snippets (pve-api schema).
      userData: { unsupported: "Proxmox VE takes custom user-data only as a snippet file on one of its storages, which Hangar cannot upload through its API" },
    },
  },
  templateSettingFields: [{ key: "storage", label: "Storage", hint: "Where clones go (PVE storage ID); empty: the connection's default" }],
  connectionSettingFields: [
    { key: "defaultStorage", label: "Default storage", hint: "For new VMs when a template names none (PVE storage ID)." },
    { key: "gpuMappings", label: "GPU mappings", hint: 'Portal GPU type = PCI resource mapping ids, e.g. 4090=rtx4090 (or JSON {"4090": ["rtx4090"]}); Test / Discover lists the mappings' },
  ],
} as const satisfies ProviderMetadata;
