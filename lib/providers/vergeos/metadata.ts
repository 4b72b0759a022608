import type { ProviderMetadata } from "../types";

/** What VergeOS tells the admin console (browser-safe). */
export const vergeosMetadata = {
  kind: "vergeos",
  label: "VergeOS",
  urlHint: "https://vergeos.example.com (API under /api/v4)",
  capabilities: {
    actions: ["start", "stop", "shutdown", "reboot", "delete", "resize"],
    placement: "cluster",
    placementLabel: "Cluster",
    gpus: { offered: true, rentalTypes: ["on_demand"] },
    sizes: "free",
    cloudInit: { maxSshKeys: 20, userData: true, minPasswordLength: 8 },
  },
  templateSettingFields: [
    { key: "vnet", label: "Network (vnet key)", hint: "The vnet of the VM's NIC, e.g. 3; empty: the connection's default, else the external vnet" },
    { key: "preferredTier", label: "Storage tier", hint: "1 to 5, for the boot drive; empty: the connection's default, else VergeOS's" },
    { key: "driveMedia", label: "Boot drive from the media source", hint: "import (a copy, default) or clone" },
    { key: "driveInterface", label: "Drive interface", hint: "virtio-scsi (default), virtio, ide, ahci, nvme" },
    { key: "nicInterface", label: "NIC interface", hint: "virtio (default), e1000, e1000e, rtl8139, vmxnet3" },
  ],
  connectionSettingFields: [
    { key: "gpuGroups", label: "GPU resource groups", hint: 'Portal GPU type = resource group UUIDs, e.g. 4090=1f67f07e-…,7c2d9a40-… (or JSON {"4090": ["…"]})' },
    { key: "passwordAuth", label: "Password login", hint: "With a user name and password: basic (default) or token (a session token)" },
    { key: "defaultVnet", label: "Default network (vnet key)", hint: "For templates that name none" },
    { key: "defaultTier", label: "Default storage tier", hint: "1 to 5, for templates that name none" },
  ],
} as const satisfies ProviderMetadata;
