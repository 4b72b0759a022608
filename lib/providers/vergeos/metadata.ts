import type { PlannedProvider } from "../types";

/** VergeOS: announced, not implemented yet (its own issue): it cannot be enabled. */
export const vergeosMetadata = {
  kind: "vergeos",
  label: "VergeOS",
  urlHint: "https://vergeos.example.com (API under /api/v4)",
  available: false,
  capabilities: {
    actions: ["start", "stop", "shutdown", "reboot", "delete", "resize"],
    placement: "cluster",
    placementLabel: "Cluster",
    gpus: { offered: true, rentalTypes: [] },
    sizes: "free",
  },
  templateSettingFields: [],
  connectionSettingFields: [],
} as const satisfies PlannedProvider;
