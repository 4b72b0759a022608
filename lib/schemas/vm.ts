import { z } from "zod";

/**
 * The seed API's request (`POST /api/v1/vm/manage/createFromTemplate`) and the wizard's form
 * share these rules. Field names are the seed's, exactly.
 */
export const createFromTemplateFields = ["template_id", "name", "target", "cpuCores", "memorySize", "diskSize"] as const;

/** A DNS label-based host name as PVE requires for `name` (format dns-name). */
export const VM_NAME_RULE = "use 1-63 letters, digits and hyphens per label, not starting or ending with a hyphen";
export function vmNameProblem(name: string): string | null {
  if (name.length === 0) return "name is empty";
  if (name.length > 253) return "name is longer than 253 characters";
  const labels = name.split(".");
  for (const label of labels) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) return `"${name}" is not a valid DNS name (${VM_NAME_RULE})`;
  }
  return null;
}

export const positiveInt = (label: string) =>
  z.coerce
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .positive(`${label} must be greater than 0`)
    .max(1_000_000_000, `${label} is too large`);

export const createFromTemplateSchema = z.object({
  template_id: z.coerce.string().trim().min(1),
  name: z.string().trim(),
  target: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/, "target must be a node name"),
  cpuCores: positiveInt("cpuCores"),
  memorySize: positiveInt("memorySize"),
  diskSize: positiveInt("diskSize"),
  storage: z.string().trim().regex(/^[A-Za-z][A-Za-z0-9\-_.]*[A-Za-z0-9]$/, "storage must be a PVE storage ID").optional(),
  ciuser: z.string().trim().min(1).max(32).regex(/^[a-z_][a-z0-9_-]*$/, "ciuser must be a Unix user name").optional(),
  cipassword: z.string().min(8, "cipassword must be at least 8 characters").max(128).optional(),
  /** Hangar extension: the id of one of the caller's saved SSH keys, installed with cloud-init. */
  ssh_key_id: z.string().trim().min(1).optional(),
});

export type CreateFromTemplateInput = z.infer<typeof createFromTemplateSchema>;

export const createFromTemplateResponseSchema = z.object({
  task_id: z.string(),
  vm_name: z.string(),
  vmid: z.string(),
});
