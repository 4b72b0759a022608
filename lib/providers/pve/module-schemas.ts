import { z } from "zod";
import { gpuMapSetting } from "../gpu-map-setting";
import type { ProviderRef } from "../types";

/**
 * PVE's side of the opaque references and settings: a VM or template is `{node, vmid}`, shown
 * as the VMID (unique in a cluster). Browser-safe (the admin forms use these schemas).
 */
export type PveLocation = { node: string; vmid: number };

export const DEFAULT_STORAGE = "NFS";

const nodeName = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/, "must be a node name");
const storageId = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9\-_.]*[A-Za-z0-9]$/, "Must be a PVE storage ID, e.g. local-lvm");

export function pveRef(node: string, vmid: number): ProviderRef {
  return { id: String(vmid), data: { node, vmid } };
}

const locationSchema = z.object({ node: z.string().min(1), vmid: z.number().int().min(1) });

/** The `{node, vmid}` of a reference made by pveRef; throws on anything else (a bug, not user input). */
export function refOf(ref: ProviderRef): PveLocation {
  return locationSchema.parse(ref.data);
}

/** Template settings: the storage its clones go to (else the connection's default, else "NFS"). */
export const pveTemplateSettings = z.object({ storage: storageId.optional() });

const vmidSchema = z.number({ error: "must be a number" }).int().min(100).max(999_999_999);

/** A template's fields in the configuration file: `node`, `vmid` and optionally `storage`. */
export const pveTemplateFields = z
  .object({ node: nodeName, vmid: vmidSchema, storage: storageId.optional() })
  .strict()
  .transform(({ node, vmid, storage }) => ({ ref: pveRef(node, vmid), settings: storage ? { storage } : {} }));

/** A reference as pveRef makes it (the id is the VMID). */
export const pveRefSchema = z
  .object({ id: z.string(), data: z.object({ node: nodeName, vmid: vmidSchema }).strict() })
  .refine((r) => r.id === String(r.data.vmid), "the id must be the VMID")
  .transform((r) => pveRef(r.data.node, r.data.vmid));

/** A PCI resource mapping id (`/cluster/mapping/pci`), PVE's `pve-configid` format. */
const pciMappingId = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_-]+$/i, "must be a PVE PCI mapping id, e.g. rtx4090");

/**
 * Connection settings (strict):
 * - `defaultStorage`: the storage of new VMs when neither the request nor the template names one.
 * - `gpuMappings`: portal GPU type → PVE PCI resource mapping ids (Datacenter → Resource
 *   Mappings) whose devices are that type, e.g. `{"4090": ["rtx4090"]}` (the admin form also
 *   takes `4090=rtx4090,rtx4090-b`). A VM with GPUs gets `hostpciN: mapping=<id>,pcie=1` and a q35 machine.
 */
export const pveConnectionSettings = z
  .object({
    defaultStorage: storageId.optional(),
    gpuMappings: gpuMapSetting(pciMappingId, "PCI mapping id", "rtx4090").optional(),
  })
  .strict();
export type PveConnectionSettings = z.infer<typeof pveConnectionSettings>;

/** Create options: the target node and, optionally, the storage. */
export const pveCreateOptions = z.object({ target: nodeName, storage: storageId.optional() });
export type PveCreateOptions = z.infer<typeof pveCreateOptions>;
