import { z } from "zod";
import type { ProviderRef } from "../types";

/**
 * Nova Cloud's side of the opaque references and settings (browser-safe: the admin forms and
 * the configuration file use these schemas).
 *
 * - A template is one of Nova's template ids (`template_vmid` of `POST /vms`, e.g. 102 Stable
 *   Diffusion): `{id: "102", data: {templateVmid: 102}}`.
 * - A VM is Nova's VM uuid (the `id` of `GET /vms/{id}`; never its Proxmox-style `vmid`) and the
 *   node it runs on: `{id: "<uuid>", data: {vmId: "<uuid>", node: "vm01"}}`.
 */
export type NovaTemplateLocation = { templateVmid: number };
export type NovaVmLocation = { vmId: string; node?: string };

/** A Nova node id as `POST /vms` takes it (e.g. `vm01`). */
export const novaNodeName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$/, "must be a Nova node id, e.g. vm01");

const templateVmid = z.number({ error: "templateVmid must be a number (Nova's template id, e.g. 102)" }).int("templateVmid must be a whole number").min(1).max(999_999_999);
/** Nova's VM ids are uuids; anything path-safe is accepted (the client checks it again). */
const vmId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "must be a Nova VM id");

export function novaTemplateRef(templateVmid: number): ProviderRef {
  return { id: String(templateVmid), data: { templateVmid } };
}

export function novaVmRef(id: string, node?: string): ProviderRef {
  return { id, data: node ? { vmId: id, node } : { vmId: id } };
}

/** The template id of a reference made by novaTemplateRef; throws on anything else (a bug, not user input). */
export function templateOf(ref: ProviderRef): NovaTemplateLocation {
  return z.object({ templateVmid }).parse(ref.data);
}

/** The VM of a reference made by novaVmRef; throws on anything else (a bug, not user input). */
export function vmOf(ref: ProviderRef): NovaVmLocation {
  return z.object({ vmId, node: z.string().optional() }).parse(ref.data);
}

/** Template settings: none (sizes come from the GPU offer, the image from the template id). */
export const novaTemplateSettings = z.object({}).strict();

/**
 * A template's fields in the configuration file: `"nova": {"templateVmid": 102}` (Nova's
 * documented templates: 100 Ubuntu 22.04 + NVIDIA, 101 Ubuntu 24.04 + NVIDIA, 102 Stable
 * Diffusion, 103 ComfyUI, 104 Linux Desktop; ids change, so they are configuration).
 */
export const novaTemplateFields = z
  .object({ nova: z.object({ templateVmid }, { error: 'needs "nova": { "templateVmid": <Nova template id> }' }).strict() })
  .strict()
  .transform(({ nova }) => ({ ref: novaTemplateRef(nova.templateVmid), settings: {} }));

/** A reference as novaTemplateRef or novaVmRef makes it. */
export const novaRefSchema = z.union([
  z
    .object({ id: z.string(), data: z.object({ templateVmid }).strict() })
    .refine((r) => r.id === String(r.data.templateVmid), "the id must be the template id")
    .transform((r) => novaTemplateRef(r.data.templateVmid)),
  z
    .object({ id: z.string(), data: z.object({ vmId, node: novaNodeName.optional() }).strict() })
    .refine((r) => r.id === r.data.vmId, "the id must be the VM id")
    .transform((r) => novaVmRef(r.data.vmId, r.data.node)),
]);

/** A price per GB-hour as a decimal string, e.g. "0.0002". */
const decimalString = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,6}(\.\d{1,10})?$/, "must be a price like 0.0002"));

/**
 * Connection settings: the storage price per GB-hour, used only when Nova's catalogue
 * (`GET /search`, `GET /pricing`) does not carry one (Nova shows it only per VM).
 */
export const novaConnectionSettings = z
  .object({ storageGbHourly: z.union([z.literal("").transform(() => undefined), decimalString]).optional() })
  .strict()
  .transform((s) => (s.storageGbHourly === undefined ? {} : { storageGbHourly: s.storageGbHourly }));

/**
 * Create options: `target` names the Nova node (e.g. `vm01`); without it (or with `auto`) the
 * node with the most free GPUs of the chosen type is taken. `gpuType`/`gpuCount` are filled in
 * by the precheck when the request names no GPU (the first offer with a free GPU, one GPU), so
 * the create steps build what was checked.
 */
export const novaCreateOptions = z.object({
  target: novaNodeName.optional(),
  gpuType: z.string().trim().min(1).max(100).optional(),
  gpuCount: z.number().int().positive().optional(),
});
export type NovaCreateOptions = z.infer<typeof novaCreateOptions>;
