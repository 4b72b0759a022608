import type { PlannedProvider } from "../types";

/** Nova Cloud GPU rental: announced, not implemented yet (its own issue): it cannot be enabled. */
export const novaMetadata = {
  kind: "nova",
  label: "Nova Cloud",
  urlHint: "https://api.nova-cloud.ai",
  available: false,
  capabilities: {
    actions: ["start", "stop", "reboot", "delete"],
    placement: "region",
    placementLabel: "Region",
    gpus: { offered: true, rentalTypes: ["on_demand", "reserved_1m", "reserved_3m", "reserved_6m", "interruptible"] },
    sizes: "offers",
  },
  templateSettingFields: [],
  connectionSettingFields: [],
} as const satisfies PlannedProvider;
