import type { ProviderModule } from "../types";
import { vergeosMetadata } from "./metadata";
import { vergeosConnectionSettings, vergeosCreateOptions, vergeosRefSchema, vergeosTemplateFields, vergeosTemplateSettings } from "./module-schemas";
import { VergeProvider } from "./provider";

/** VergeOS (API v4): a VM with a boot drive from a media source, a NIC, GPU devices, then power on. */
export const vergeosModule: ProviderModule = {
  ...vergeosMetadata,
  available: true,
  templateSettings: vergeosTemplateSettings,
  connectionSettings: vergeosConnectionSettings,
  templateFields: vergeosTemplateFields,
  refSchema: vergeosRefSchema,
  createOptions: vergeosCreateOptions,
  connect: (config) => new VergeProvider(config),
};
