import { fromPrisma } from "pg-boss";
import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { encryptJson } from "../crypto/secrets";
import { db } from "../db/client";
import { transaction } from "../db/transaction";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { getBoss } from "../jobs/boss";
import { queues } from "../jobs/queues";
import { log } from "../log";
import { quotaContext } from "../quota/context";
import { checkAggregate, checkPerVm, reserveVm } from "../quota/reserve";
import { providerFor } from "../providers/registry";
import { ProviderError, type CreateVmSpec } from "../providers/types";
import { requireFields } from "../api/respond";
import { createFromTemplateFields, createFromTemplateSchema, vmNameProblem } from "../schemas/vm";
import { zodMessage } from "../api/respond";
import { canUseTemplate, findTemplate } from "../templates/access";
import { acceptSteps } from "../tasks/create-vm-steps";
import { describeFailure } from "../tasks/failure";
import { newTaskId } from "../tasks/ids";
import { recordAudit } from "../audit/record";

export const DEFAULT_STORAGE = "NFS";
export const TEMPLATE_NOT_FOUND = "Template not found";
export const TEMPLATE_FORBIDDEN = "You do not have permission to use this template";
export { PLAN_NOT_FOUND } from "../quota/reserve";

export type CreateVmResult = { task_id: string; vm_name: string; vmid: string };

/** What the create task carries: the spec, with secrets sealed. */
export type CreateVmTaskInput = {
  spec: Omit<CreateVmSpec, "cipassword" | "sshKeys">;
  sealed?: string;
  providerId: string;
  templateId: string;
};

/**
 * A provider failure while accepting a request: the seed's 500, in words the user can act on
 * (lib/tasks/failure.ts), never the provider's URL or wire error; support and admins also get
 * the provider's own words in `data` (issue 7, finding 9). Logged for staff either way.
 */
function providerFailure(error: unknown, providerName: string, user: AuthenticatedUser): AppError {
  const failure = describeFailure(error);
  log.warn({ provider: providerName, err: failure.detail ?? failure.message, user: user.email }, "provider failed while accepting a create");
  const data = can(user.role, "tasks.monitor") ? { provider: providerName, detail: failure.detail } : null;
  return new AppError("internal", failure.message, { cause: error, data });
}

/**
 * Accepts a create-from-template request, from the API or the wizard: validation in the seed's
 * order (missing fields, name, template, permission, plan, per-VM limits, available limits),
 * then a VMID from the provider, then (in one transaction) the quota reservation, the task with
 * its steps and the pg-boss job. Nothing is written unless all of it is.
 */
export async function createVmFromTemplate(user: AuthenticatedUser, raw: unknown): Promise<CreateVmResult> {
  requireFields(raw, createFromTemplateFields);
  const record = raw as Record<string, unknown>;
  const nameProblem = typeof record.name === "string" ? vmNameProblem(record.name.trim()) : "name must be a string";
  if (nameProblem) throw new AppError("bad_request", `Invalid VM name: ${nameProblem}`);
  const parsed = createFromTemplateSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
  const input = parsed.data;

  const template = await findTemplate(input.template_id);
  if (!template) throw new AppError("not_found", TEMPLATE_NOT_FOUND);
  const { teamId } = await db().user.findUniqueOrThrow({ where: { id: user.id }, select: { teamId: true } });
  if (!canUseTemplate({ id: user.id, teamId }, template)) throw new AppError("forbidden", TEMPLATE_FORBIDDEN);
  const quota = await quotaContext(db(), user.id);
  // A plan may limit which providers its users can reach: then the template is not theirs to use.
  if (quota.plan?.allowedProviderIds.length && !quota.plan.allowedProviderIds.includes(template.providerId)) {
    throw new AppError("forbidden", TEMPLATE_FORBIDDEN);
  }

  const request = { cpuCores: input.cpuCores, memoryMb: input.memorySize, diskGb: input.diskSize };
  const size = { ...request, gpuCount: 0 };
  const below = [
    input.cpuCores < template.minCpuCores && `cpuCores must be at least ${template.minCpuCores}`,
    input.memorySize < template.minMemoryMb && `memorySize must be at least ${template.minMemoryMb} MB`,
    input.diskSize < template.minDiskGb && `diskSize must be at least ${template.minDiskGb} GB`,
  ].filter(Boolean);
  if (below.length) throw new AppError("bad_request", `Requested resources are below the minimums of template "${template.name}": ${below.join("; ")}`);

  checkPerVm(quota, size);
  // Checked again under a lock when reserving; this early check spares the provider a call.
  checkAggregate(quota, size);

  let sshKey: string | undefined;
  if (input.ssh_key_id) {
    const key = await db().sshKey.findFirst({ where: { id: input.ssh_key_id, userId: user.id } });
    if (!key) throw new AppError("bad_request", "SSH key not found among your keys");
    sshKey = key.publicKey;
  }

  const connection = template.provider;
  const provider = providerFor(connection);
  let vmid: number;
  try {
    const nodes = await provider.nodes();
    if (!nodes.some((n) => n.name === input.target)) {
      throw new AppError("bad_request", `Invalid target node: "${input.target}" is not a node of ${connection.name} (nodes: ${nodes.map((n) => n.name).join(", ")})`);
    }
    vmid = await provider.allocateVmId(async (id) => (await db().vm.count({ where: { providerId: connection.id, vmid: id, deletedAt: null } })) > 0);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof ProviderError || error instanceof Error) throw providerFailure(error, connection.name, user);
    throw error;
  }

  const settings = (connection.settings ?? {}) as { defaultStorage?: string };
  const storage = input.storage ?? template.storage ?? settings.defaultStorage ?? DEFAULT_STORAGE;
  const spec: CreateVmSpec = {
    template: { node: template.node, vmid: template.vmid },
    targetNode: input.target,
    vmid,
    name: input.name,
    cpuCores: input.cpuCores,
    memoryMb: input.memorySize,
    diskGb: input.diskSize,
    storage,
    ciuser: input.ciuser ?? template.ciuser ?? undefined,
    cipassword: input.cipassword,
    sshKeys: sshKey ? [sshKey] : undefined,
    description: `Created by Hangar for ${user.email}`,
  };
  const { cipassword, sshKeys, ...publicSpec } = spec;
  const taskInput: CreateVmTaskInput = {
    spec: publicSpec,
    sealed: cipassword || sshKeys ? encryptJson({ cipassword, sshKeys }) : undefined,
    providerId: connection.id,
    templateId: template.id,
  };
  const provisionNames = provider.provisionSteps(spec).map((s) => s.name);
  const taskId = newTaskId("clone");
  const boss = await getBoss();

  // Retried when PostgreSQL aborts it for a deadlock or serialization failure.
  await transaction(
    async (tx) => {
      const vm = await reserveVm(tx, {
        userId: user.id,
        data: { name: input.name, providerId: connection.id, templateId: template.id, node: input.target, vmid, ...request, status: "creating" },
      });
      const now = new Date();
      await tx.task.create({
        data: {
          id: taskId,
          kind: "vm.create",
          userId: user.id,
          vmId: vm.id,
          input: taskInput as unknown as Db.Prisma.InputJsonValue,
          progress: Math.round((acceptSteps.length / (acceptSteps.length + provisionNames.length)) * 100),
          steps: {
            create: [
              { position: 0, name: acceptSteps[0].name, status: "completed", startedAt: now, finishedAt: now, detail: { ...request, plan: quota.planName, team: quota.team?.name ?? null } },
              { position: 1, name: acceptSteps[1].name, status: "completed", startedAt: now, finishedAt: now, detail: { vmid } },
              ...provisionNames.map((name, i) => ({ position: i + 2, name })),
            ],
          },
        },
      });
      await tx.taskLog.create({ data: { taskId, line: `Accepted: ${input.name} from ${template.name} on ${input.target} (${request.cpuCores} vCPU, ${request.memoryMb} MB, ${request.diskGb} GB, storage ${storage}), VMID ${vmid}` } });
      await recordAudit(tx, { actor: { id: user.id, email: user.email }, action: "vm.create", targetType: "vm", targetId: vm.id, after: { ...publicSpec, taskId } });
      // The job commits with the task: no task without its job, no job without its task.
      await boss.send(queues.createVm.name, { taskId }, { ...queues.createVm.sendOptions, db: fromPrisma(tx) });
    },
    { name: "create VM" },
  );
  log.info({ taskId, vmid, user: user.email, template: template.name }, "create VM accepted");
  return { task_id: taskId, vm_name: input.name, vmid: String(vmid) };
}
