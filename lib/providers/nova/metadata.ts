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
  },
  templateSettingFields: [],
  connectionSettingFields: [
    { key: "storageGbHourly", label: "Storage price per GB-hour", hint: "Only when Nova's catalogue does not publish one (e.g. 0.0002); empty: Nova's." },
  ],
} as const satisfies ProviderMetadata;
