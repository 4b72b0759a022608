import type { AuthenticatedUser } from "../auth/credentials";
import { AppError } from "../errors";
import { parseGpuOrder } from "../schemas/gpu-order";
import { createFromTemplateFields, createFromTemplateSchema, vmNameProblem } from "../schemas/vm";
import { createVm } from "../vms/create-vm";
import { requireFields, zodMessage } from "./respond";

/** The seed API's answer, field names exactly as in ../shared/seeds/portal-createFromTemplate.md. */
export type CreateFromTemplateResult = { task_id: string; vm_name: string; vmid: string };

/**
 * The seed API's edge (`POST /api/v1/vm/manage/createFromTemplate`, also the wizard's submit):
 * the seed's first checks in its order (missing fields, VM name, field formats), its field
 * names mapped to the core's (`memorySize` → memoryMb, `target`/`storage` → the provider's
 * create options; `gpuType`, `gpuCount`, `rentalType`, `reservationMonths`, `autoRestart` → the
 * GPU order; `ssh_key_id` and `ssh_key_ids` → the keys to install, `user_data` → the user's
 * cloud-config), and the answer in the seed's shape: `vmid` is the provider's short id of
 * the VM (for Proxmox VE its VMID, exactly as before).
 */
export async function createFromTemplate(user: AuthenticatedUser, raw: unknown): Promise<CreateFromTemplateResult> {
  requireFields(raw, createFromTemplateFields);
  const record = raw as Record<string, unknown>;
  const nameProblem = typeof record.name === "string" ? vmNameProblem(record.name.trim()) : "name must be a string";
  if (nameProblem) throw new AppError("bad_request", `Invalid VM name: ${nameProblem}`);
  const parsed = createFromTemplateSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  const input = parsed.data;
  // Optional GPU and rental fields: each bad combination is a 400 naming it (lib/schemas/gpu-order.ts).
  const gpu = parseGpuOrder(record);
  if (!gpu.ok) throw new AppError("bad_request", gpu.message);
  const accepted = await createVm(user, {
    template: input.template_id,
    name: input.name,
    size: { cpuCores: input.cpuCores, memoryMb: input.memorySize, diskGb: input.diskSize, gpus: {} },
    options: { target: input.target, ...(input.storage !== undefined ? { storage: input.storage } : {}) },
    cloudInit: { user: input.ciuser, password: input.cipassword },
    sshKeyIds: [...new Set([...(input.ssh_key_id ? [input.ssh_key_id] : []), ...(input.ssh_key_ids ?? [])])],
    ...(input.user_data !== undefined ? { userData: input.user_data } : {}),
    gpuOrder: gpu.order,
  });
  return { task_id: accepted.taskId, vm_name: accepted.vmName, vmid: accepted.providerRefId ?? "" };
}
