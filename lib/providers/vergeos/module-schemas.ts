import { z } from "zod";
import { gpuMapSetting } from "../gpu-map-setting";
import type { ProviderRef, ProviderTemplate } from "../types";

/**
 * VergeOS's side of the opaque references and settings (browser-safe: the admin forms use
 * these schemas). Keys are VergeOS `$key`s as strings (the API gives them as strings or numbers).
 *
 * - A VM: `{id: "<VM key>", data: {vm: "<VM key>", machine: "<machine key>"}}`. Power actions
 *   take the VM key; drives, NICs, devices and status the machine key (they differ).
 * - A VM being made whose keys are not known yet (a create that died between VergeOS's answer
 *   and remembering it): `{id: "<name>", data: {name, ownerTag}}`, found again by its name and
 *   the tag kept in its description.
 * - A template: `{id: "<media source key>", data: {mediaSource, cluster?}}`, a row of VergeOS's
 *   `files` table (an image that is imported or cloned as the boot drive) and the cluster its
 *   VMs go to unless the request names another.
 */
export type VergeVmLocation = { vm: string; machine: string };
export type VergeTemplateLocation = { mediaSource: string; cluster?: string };

/** A `$key`: digits (or a short token), given as a string or a number. */
const key = (what: string) =>
  z
    .union([z.string(), z.number().int().min(0)], { error: `must be a VergeOS ${what} key` })
    .transform((v) => String(v).trim())
    .pipe(z.string().min(1, `must be a VergeOS ${what} key`).max(64).regex(/^[A-Za-z0-9_-]+$/, `must be a VergeOS ${what} key, e.g. "3"`));

/** A storage tier, "1" to "5" (sent as a string, `preferred_tier`). */
export const tierSchema = z
  .union([z.string(), z.number().int()], { error: "must be a storage tier, 1 to 5" })
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^[1-5]$/, "must be a storage tier, 1 to 5"));

export const DRIVE_INTERFACES = ["virtio-scsi", "virtio", "ide", "ahci", "nvme", "virtio-scsi-dedicated"] as const;
export const NIC_INTERFACES = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3"] as const;

export function vergeVmRef(vm: string, machine: string): ProviderRef {
  return { id: vm, data: { vm, machine } };
}

/** A VM known only by its name and owner tag (see above). */
export function vergePendingRef(name: string, ownerTag: string): ProviderRef {
  return { id: name, data: { name, ownerTag } };
}

export function vergeTemplateRef(mediaSource: string, cluster?: string): ProviderRef {
  return { id: mediaSource, data: cluster ? { mediaSource, cluster } : { mediaSource } };
}

const vmData = z.object({ vm: key("VM"), machine: key("machine") }).strict();
const pendingData = z.object({ name: z.string().min(1).max(253), ownerTag: z.string().min(1).max(200) }).strict();
const templateData = z.object({ mediaSource: key("media source"), cluster: key("cluster").optional() }).strict();

export type VergeRefOf = { type: "vm"; vm: string; machine: string } | { type: "pending"; name: string; ownerTag: string } | { type: "template"; mediaSource: string; cluster?: string };

/** What a reference made by this module points at; throws on anything else (a bug, not user input). */
export function vergeRefOf(ref: ProviderRef): VergeRefOf {
  const vm = vmData.safeParse(ref.data);
  if (vm.success) return { type: "vm", ...vm.data };
  const pending = pendingData.safeParse(ref.data);
  if (pending.success) return { type: "pending", ...pending.data };
  const template = templateData.safeParse(ref.data);
  if (template.success) return { type: "template", ...template.data };
  throw new TypeError(`Not a VergeOS reference: ${JSON.stringify(ref)}`);
}

/** The VM and machine keys of a VM reference; throws for other references. */
export function vmRefOf(ref: ProviderRef): VergeVmLocation {
  return vmData.parse(ref.data);
}

/** A reference as this module makes it (VM, VM being made, or template), its id matching its data. */
export const vergeosRefSchema = z
  .object({ id: z.string().min(1).max(253), data: z.union([vmData, pendingData, templateData]) })
  .refine((r) => r.id === ("vm" in r.data ? r.data.vm : "name" in r.data ? r.data.name : r.data.mediaSource), "the id must be the VM key, the VM's name or the media source key")
  .transform((r) => ("vm" in r.data ? vergeVmRef(r.data.vm, r.data.machine) : "name" in r.data ? vergePendingRef(r.data.name, r.data.ownerTag) : vergeTemplateRef(r.data.mediaSource, r.data.cluster)));

/**
 * A template's settings (stored in Template.settings; the admin console edits them as text):
 * the vnet of its NIC, the storage tier of its boot drive, how the boot drive is made from the
 * media source (`import`: a copy, default; `clone`) and the drive's and NIC's interfaces. Each
 * left out: the connection's default, else VergeOS's (see the provider's precheck).
 */
export const vergeosTemplateSettings = z
  .object({
    vnet: key("vnet").optional(),
    preferredTier: tierSchema.optional(),
    driveMedia: z.enum(["import", "clone"], { error: "must be import or clone" }).optional(),
    driveInterface: z.enum(DRIVE_INTERFACES, { error: `must be one of ${DRIVE_INTERFACES.join(", ")}` }).optional(),
    nicInterface: z.enum(NIC_INTERFACES, { error: `must be one of ${NIC_INTERFACES.join(", ")}` }).optional(),
  })
  .strict();
export type VergeTemplateSettings = z.infer<typeof vergeosTemplateSettings>;

/**
 * A template's fields in the configuration file: one `vergeos` block,
 * `{"mediaSource": "7", "cluster": "1", "vnet": "3", "preferredTier": "1"}` (keys as strings or
 * numbers), plus optionally `driveMedia`, `driveInterface`, `nicInterface`.
 */
export const vergeosTemplateFields: z.ZodType<ProviderTemplate> = z
  .object({
    vergeos: z
      .object({ mediaSource: key("media source"), cluster: key("cluster").optional() })
      .extend(vergeosTemplateSettings.shape)
      .strict(),
  })
  .strict()
  .transform(({ vergeos: { mediaSource, cluster, ...settings } }) => ({
    ref: vergeTemplateRef(mediaSource, cluster),
    settings: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
  }));

const uuid = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a resource group UUID");
/**
 * Connection settings (strict):
 * - `gpuGroups`: portal GPU type → VergeOS resource group UUIDs whose devices are that type,
 *   e.g. `{"4090": ["1f67f07e-…", "…"]}` (the admin form also takes `4090=<uuid>,<uuid>`).
 * - `passwordAuth`: with username + password, `basic` (HTTP Basic on every request, default) or
 *   `token` (a session token from `POST /api/sys/tokens`, renewed when it lapses).
 * - `defaultVnet`, `defaultTier`: for templates that name none.
 */
export const vergeosConnectionSettings = z
  .object({
    gpuGroups: gpuMapSetting(uuid, "resource group UUID", "<uuid>").optional(),
    passwordAuth: z.enum(["basic", "token"], { error: "must be basic or token" }).optional(),
    defaultVnet: key("vnet").optional(),
    defaultTier: tierSchema.optional(),
  })
  .strict();
export type VergeConnectionSettings = z.infer<typeof vergeosConnectionSettings>;

/**
 * Create options: `target` names the VergeOS cluster (its name or its key); `storage`
 * optionally a storage tier (1 to 5) for the boot drive instead of the template's.
 */
export const vergeosCreateOptions = z.object({
  target: z.string().trim().min(1, "target must name a VergeOS cluster").max(128),
  storage: tierSchema.optional(),
});

/** The options as the precheck resolves them: the cluster's key and the VM's owner tag (made once, at accept). */
export const resolvedOptions = vergeosCreateOptions.extend({ cluster: z.string().min(1), ownerTag: z.string().min(1) });
export type ResolvedOptions = z.infer<typeof resolvedOptions>;
