import type { ProviderModule } from "../types";
import { pveMetadata } from "./metadata";
import { pveConnectionSettings, pveCreateOptions, pveRefSchema, pveTemplateFields, pveTemplateSettings } from "./module-schemas";
import { PveProvider } from "./provider";

/** Proxmox VE: clone a template onto a node, then configure, resize, start and read the IP. */
export const pveModule: ProviderModule = {
  ...pveMetadata,
  available: true,
  templateSettings: pveTemplateSettings,
  connectionSettings: pveConnectionSettings,
  templateFields: pveTemplateFields,
  refSchema: pveRefSchema,
  createOptions: pveCreateOptions,
  connect: (config) => new PveProvider(config),
};
