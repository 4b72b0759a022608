import { z } from "zod";

/** Response shapes of /api/v1, used for the OpenAPI document. */
export const envelope = <T extends z.ZodType>(data: T) => z.object({ code: z.number().int(), message: z.string(), data });
export const errorEnvelope = z.object({ code: z.number().int(), message: z.string(), data: z.unknown().nullable() });

export const denialSchema = z.object({
  scope: z.enum(["per_vm", "aggregate", "team"]),
  dimension: z.enum(["cpuCores", "memoryMb", "diskGb", "gpus", "vms", "monthlySpend"]),
  limit: z.number().nullable(),
  used: z.number(),
  requested: z.number(),
  message: z.string(),
});

export const loginResponseSchema = z.object({ token: z.string(), expires_at: z.string() });
export const meSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(["user", "support", "admin"]) });

export const templateSchema = z.object({
  id: z.string(),
  name: z.string(),
  os: z.string(),
  description: z.string(),
  provider: z.string(),
  provider_ref: z.string().describe("The provider's short id of the template"),
  min: z.object({ cpuCores: z.number().int(), memorySize: z.number().int(), diskSize: z.number().int() }),
  offers: z
    .array(
      z.object({
        gpuType: z.string().describe("Opaque GPU type id from the provider's offers, e.g. \"4090\": send it as gpuType"),
        label: z.string(),
        memoryGb: z.number().nullable().describe("GPU memory, GB"),
        gpuCount: z.array(z.number().int()).describe("The counts that can be ordered"),
        cpuCores: z.number().int().nullable().describe("vCPU cores that come with each GPU (null: sizes are chosen freely)"),
        memorySize: z.number().int().nullable().describe("MB of memory that come with each GPU (null: sizes are chosen freely)"),
        rates: z.object({
          gpuHourly: z.string().describe("Per GPU-hour (on demand), decimal"),
          storageGbHourly: z.string().describe("Per GB of storage per hour, decimal"),
          currency: z.string().nullable(),
          source: z.enum(["provider", "portal"]),
        }),
        available: z.number().int().describe("GPUs free for a new request now"),
        total: z.number().int(),
        rentalTypes: z.array(z.string()),
        rentals: z.array(z.object({ rentalType: z.enum(["on_demand", "reserved", "interruptible"]), reservationMonths: z.number().int().optional() })),
      }),
    )
    .nullable()
    .describe("GPU offers (null: the template has no GPUs)"),
});

const status = z.enum(["pending", "in_progress", "completed", "failed", "cancelled"]);
export const taskSchema = z.object({
  task_id: z.string(),
  kind: z.string(),
  status,
  progress: z.number().int().min(0).max(100),
  error: z.string().nullable().describe("Why the task failed, in words for its user"),
  error_detail: z.string().nullable().optional().describe("The provider's own words behind `error`: only for support and admins"),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  vm: z.object({ id: z.string(), name: z.string(), provider_ref: z.string().nullable().describe("The provider's short id of the VM (for display and search)"), status: z.string(), ip_address: z.string().nullable() }).nullable(),
  steps: z.array(
    z.object({
      position: z.number().int(),
      key: z.string().describe("The step's stable key in its plan"),
      name: z.string(),
      status: z.enum(["pending", "in_progress", "completed", "failed", "skipped"]),
      provider_task_id: z.string().nullable().describe("The provider's own id of the asynchronous job the step waited for"),
      error: z.string().nullable(),
      error_detail: z.string().nullable().optional().describe("Only for support and admins"),
      started_at: z.string().nullable(),
      finished_at: z.string().nullable(),
    }),
  ),
  logs: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      level: z.string(),
      line: z.string(),
      detail: z.string().nullable().optional().describe("The provider's own words behind the line: only for support and admins"),
      step: z.number().int().nullable(),
    }),
  ),
});

/** The largest page GET /api/v1/vms answers (`?limit=`). */
export const MAX_VM_PAGE = 1000;

export const vmSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider_ref: z.string().nullable().describe("The provider's short id of the VM (for display and search)"),
  status: z.string(),
  ip_address: z.string().nullable(),
  template: z.string().nullable(),
  cpuCores: z.number().int(),
  memorySize: z.number().int(),
  diskSize: z.number().int(),
  gpuType: z.string().nullable(),
  gpuCount: z.number().int(),
  rentalType: z.enum(["on_demand", "reserved", "interruptible"]),
  reservationMonths: z.number().int().nullable(),
  reservationEndsAt: z.string().nullable().describe("When a reservation ends (set once the VM is built)"),
  autoRestart: z.boolean().describe("Interruptible: started again when its offer is free"),
  rates: z
    .object({ gpuHourly: z.string(), storageHourly: z.string(), totalHourly: z.string(), committed: z.string().nullable() })
    .nullable()
    .describe("The rates the VM was accepted at, per hour, decimal strings (GPU time only while running; storage always); null: not a rated rental"),
  created_at: z.string(),
  last_task: z.object({ task_id: z.string(), status, kind: z.string().optional().describe("What the task does, e.g. vm.stop") }).nullable(),
});

/** A VM as GET /api/v1/vms lists it: with the actions its owner may ask of it now (none while a task runs). */
export const vmListItemSchema = vmSchema.extend({
  actions: z.array(z.enum(["start", "stop", "shutdown", "reboot", "delete", "resize"])).describe("What the VM accepts now (none while a task runs on it)"),
});
