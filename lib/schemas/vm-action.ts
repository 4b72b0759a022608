import { z } from "zod";
import { vmSchema } from "./api";
import { positiveInt } from "./vm";

/**
 * Requests and answers of the actions on an existing VM (`/api/v1/vms/{vm_id}/…`). Sizes use the
 * seed API's names and units: `memorySize` in MB, `diskSize` in GB.
 */
export const resizeVmSchema = z
  .object({
    cpuCores: positiveInt("cpuCores").optional(),
    memorySize: positiveInt("memorySize").optional(),
    diskSize: positiveInt("diskSize").optional(),
  })
  .refine((v) => v.cpuCores !== undefined || v.memorySize !== undefined || v.diskSize !== undefined, {
    message: "Give at least one of cpuCores, memorySize (MB), diskSize (GB)",
  });

export type ResizeVmInput = z.infer<typeof resizeVmSchema>;

/** A resize request in the API's names, as the core's size fields (the only place they are mapped). */
export const resizeVmSizeSchema = resizeVmSchema.transform((v) => ({
  ...(v.cpuCores !== undefined ? { cpuCores: v.cpuCores } : {}),
  ...(v.memorySize !== undefined ? { memoryMb: v.memorySize } : {}),
  ...(v.diskSize !== undefined ? { diskGb: v.diskSize } : {}),
}));

export const vmActionResponseSchema = z.object({ task_id: z.string() });

const actionEnum = z.enum(["start", "stop", "shutdown", "reboot", "delete", "resize"]);
const taskStatus = z.enum(["pending", "in_progress", "completed", "failed", "cancelled"]);

export const vmDetailSchema = vmSchema.extend({
  provider: z.string(),
  owner: z.string(),
  cost_this_month: z
    .object({ month: z.string(), gpu: z.string(), storage: z.string(), total: z.string(), running_hours: z.string() })
    .nullable()
    .describe("A rated rental's cost so far this month (UTC), rounded to cents; null: not a rated rental"),
  active_task: z.object({ task_id: z.string(), kind: z.string(), status: taskStatus }).nullable(),
  /** What the VM accepts now (none while a task runs on it). */
  actions: z.array(actionEnum),
});

export type VmDetail = z.infer<typeof vmDetailSchema>;
