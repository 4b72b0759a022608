import type { ProviderMetadata } from "../types";

/** What Nova Cloud tells the admin console (browser-safe). */
export const novaMetadata = {
  kind: "nova",
  label: "Nova Cloud",
  urlHint: "https://api.nova-cloud.ai",
  capabilities: {
    actions: ["start", "stop", "reboot", "delete"],
    placement: "host",
    placementLabel: "Node",
    gpus: { offered: true, rentalTypes: ["on_demand", "reserved_1m", "reserved_3m", "reserved_6m", "interruptible"] },
    sizes: "offers",
    cloudInit: {
      maxSshKeys: 1,
      // POST /vms: password of at least 12 characters (docs: create-vm).
      minPasswordLength: 12,
      // POST /vms takes one ssh_key_id or a password, and no user-data (docs: create-vm).
      userData: { unsupported: "Nova Cloud's API takes no cloud-init user-data for its machines" },
    },
  },
  templateSettingFields: [],
  connectionSettingFields: [
    { key: "storageGbHourly", label: "Storage price per GB-hour", hint: "Only when Nova's catalogue does not publish one (e.g. 0.0002); empty: Nova's." },
  ],
} as const satisfies ProviderMetadata;
