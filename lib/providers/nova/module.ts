import type { ProviderModule } from "../types";
import { novaMetadata } from "./metadata";
import { novaConnectionSettings, novaCreateOptions, novaRefSchema, novaTemplateFields, novaTemplateSettings } from "./module-schemas";
import { NovaProvider } from "./provider";

/** Nova Cloud: GPU machines rented from its offers (on demand, reserved 1/3/6 months, interruptible). */
export const novaModule: ProviderModule = {
  ...novaMetadata,
  available: true,
  templateSettings: novaTemplateSettings,
  connectionSettings: novaConnectionSettings,
  templateFields: novaTemplateFields,
  refSchema: novaRefSchema,
  createOptions: novaCreateOptions,
  connect: (config) => new NovaProvider(config),
};
