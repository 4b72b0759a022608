import { z } from "zod";
import { text } from "./text";
import { USER_DATA_MAX_BYTES } from "./user-data";

/** Most saved keys one request may name (`ssh_key_ids`); a provider kind may take fewer. */
export const MAX_SSH_KEYS_PER_REQUEST = 20;

/**
 * The seed API's request (`POST /api/v1/vm/manage/createFromTemplate`) and the wizard's form
 * share these rules. Field names are the seed's, exactly.
 */
export const createFromTemplateFields = ["template_id", "name", "target", "cpuCores", "memorySize", "diskSize"] as const;

export { VM_NAME_RULE, vmNameProblem } from "./vm-name";

/**
 * A whole number > 0 sent as a JSON number: `true`, `[2]`, `"2"`, `"0x400"`, `"3.2e1"` and 2.5 are
 * refused with a message naming the field (no coercion).
 */
export const positiveInt = (label: string) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .positive(`${label} must be greater than 0`)
    .max(1_000_000_000, `${label} is too large`);

/** Strings are JSON strings: `["ubuntu-24.04"]` or 42 as `template_id` is a 400 naming the field; every one has a length limit. */
export const createFromTemplateSchema = z.object({
  template_id: text(200).trim().min(1),
  name: text(253).trim(),
  target: text(64).trim().min(1).regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/, "target must be a node name"),
  cpuCores: positiveInt("cpuCores"),
  memorySize: positiveInt("memorySize"),
  diskSize: positiveInt("diskSize"),
  storage: text(100).trim().regex(/^[A-Za-z][A-Za-z0-9\-_.]*[A-Za-z0-9]$/, "storage must be a PVE storage ID").optional(),
  ciuser: text(32).trim().min(1).regex(/^[a-z_][a-z0-9_-]*$/, "ciuser must be a Unix user name").optional(),
  cipassword: text(128).min(8, "cipassword must be at least 8 characters").optional(),
  /** Hangar extension: the id of one of the caller's saved SSH keys, installed with cloud-init. */
  ssh_key_id: text(200).trim().min(1).optional(),
  /** Hangar extension: ids of several of the caller's saved SSH keys (with `ssh_key_id`, all of them are installed). */
  ssh_key_ids: z
    .array(text(200).trim().min(1, "an id is empty"), { error: "must be a list of key ids" })
    .min(1, "must name at least one key")
    .max(MAX_SSH_KEYS_PER_REQUEST, `at most ${MAX_SSH_KEYS_PER_REQUEST} keys`)
    .optional(),
  /**
   * Hangar extension: the user's own cloud-config (YAML), for providers that take it; checked in
   * full (YAML, at most 16 KiB) by the core (lib/schemas/user-data.ts).
   */
  user_data: text(USER_DATA_MAX_BYTES, { multiline: true }).optional(),
});

export type CreateFromTemplateInput = z.infer<typeof createFromTemplateSchema>;

export const createFromTemplateResponseSchema = z.object({
  task_id: z.string(),
  vm_name: z.string(),
  vmid: z.string(),
});
