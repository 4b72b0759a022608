import type { AuthenticatedUser } from "../auth/credentials";
import { recordAudit } from "../audit/record";
import { can } from "../auth/permissions";
import { encryptJson } from "../crypto/secrets";
import { db } from "../db/client";
import { transaction } from "../db/transaction";
import { AppError } from "../errors";
import { log } from "../log";
import { quotaContext } from "../quota/context";
import { checkAggregate, checkPerVm, reserveVm } from "../quota/reserve";
import { gpuPoolProblem, gpusHeld } from "../quota/gpu-pool";
import { PROVIDER_CATALOG } from "../providers/catalog";
import { moduleFor, providerFor } from "../providers/registry";
import { ProviderError, type Accepted, type CreateRequest, type JsonObject, type ProviderTemplate } from "../providers/types";
import type { GpuOrder } from "../schemas/gpu-order";
import { priceGpuOrder, resolveOffer, type GpuPricing, type ResolvedOffer } from "./gpu-offer";
import { zodMessage } from "../api/respond";
import { sizeColumns, sizeText, type Size } from "../schemas/size";
import { canUseTemplate, findTemplate } from "../templates/access";
import { describeFailure } from "../tasks/failure";
import { newTaskId } from "../tasks/ids";
import { acceptTask } from "../tasks/store";
import { createVmKind, type CreateVmTaskInput } from "./task-kinds";
import { checkUserData, resolveSshKeys } from "./cloud-init-input";
import { queueQuotaCheck } from "../notifications";
import { isUniqueViolation, VM_LIVE_REF_INDEX } from "../db/raw-indexes";
import { claimProviderRef } from "./ref-claims";

/** How often an accept takes another id after the database refused one as taken by another process. */
const MAX_ACCEPT_ATTEMPTS = 5;

export const TEMPLATE_NOT_FOUND = "Template not found";
export const TEMPLATE_FORBIDDEN = "You do not have permission to use this template";
export { PLAN_NOT_FOUND } from "../quota/reserve";

/** A request to create a VM from a template, in the core's terms (the API edge maps its fields to these). */
export type CreateVmInput = {
  /** A template's id or unique name. */
  template: string;
  name: string;
  size: Size;
  /** The provider kind's create options (checked by its module's schema), e.g. a placement. */
  options: Record<string, unknown>;
  cloudInit: { user?: string; password?: string };
  /** Ids of the caller's saved SSH keys to install with cloud-init (all of them; [] or absent: none). */
  sshKeyIds?: string[];
  /** The user's own cloud-config YAML, for provider kinds that take it (checked here: lib/schemas/user-data.ts). */
  userData?: string;
  /** GPUs and how they are rented (lib/schemas/gpu-order.ts); none: no GPU, on demand. */
  gpuOrder?: GpuOrder;
};

/** An accepted request: its task, the VM's name, and the provider's short id of the VM when it has one already. */
export type CreateVmAccepted = { taskId: string; vmName: string; providerRefId: string | null };

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

/** Runs a provider call while a request is accepted: its failures become the seed's 500 (providerFailure). */
async function askProvider<T>(providerName: string, user: AuthenticatedUser, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof ProviderError || error instanceof Error) throw providerFailure(error, providerName, user);
    throw error;
  }
}

/** A GPU VM's rental columns: its rental type and terms, and the rates it is accepted at (decimal strings). */
function rentalColumns(order: GpuOrder, pricing: GpuPricing) {
  return {
    rentalType: order.planRentalType,
    reservationMonths: order.rental.rentalType === "reserved" ? order.rental.reservationMonths : null,
    autoRestart: order.rental.rentalType === "interruptible" && order.rental.autoRestart === true,
    gpuHourly: pricing.gpuHourly.toFixed(6),
    storageHourly: pricing.storageHourly.toFixed(6),
    committedCost: pricing.committed.toFixed(2),
  };
}

/**
 * Accepts a create request (the name was checked at the edge): template, permission, plan,
 * template minimums, per-VM limits and available limits in the seed's order, then the provider's
 * own checks (its create options and its precheck), its accept-time work (e.g. an id), and in one
 * transaction the quota reservation, the task with its steps and its job. Nothing is written
 * unless all of it is.
 */
export async function createVm(user: AuthenticatedUser, input: CreateVmInput): Promise<CreateVmAccepted> {
  // Two independent reads at once (nothing is written before every check has passed); the
  // quota context's user row also gives the team a template may be granted to.
  const [template, quota] = await Promise.all([findTemplate(input.template), quotaContext(db(), user.id)]);
  if (!template) throw new AppError("not_found", TEMPLATE_NOT_FOUND);
  if (!canUseTemplate({ id: user.id, teamId: quota.teamId }, template)) throw new AppError("forbidden", TEMPLATE_FORBIDDEN);
  // A plan may limit which providers its users can reach: then the template is not theirs to use.
  if (quota.plan?.allowedProviderIds.length && !quota.plan.allowedProviderIds.includes(template.providerId)) {
    throw new AppError("forbidden", TEMPLATE_FORBIDDEN);
  }

  const connection = template.provider;
  const templateRef: ProviderTemplate = { ref: { id: template.providerRefId, data: template.providerRef as JsonObject }, settings: template.settings as Record<string, unknown>, ciuser: template.ciuser, name: template.name };
  // GPUs: the plan's GPU and rental types, then the template's offer (lib/vms/gpu-offer.ts); its sizes may replace the asked-for ones.
  const gpuOrder = input.gpuOrder ?? null;
  const capabilities = PROVIDER_CATALOG[connection.kind].capabilities;
  let gpu: ResolvedOffer | null = null;
  if (gpuOrder?.gpu || capabilities.sizes === "offers") {
    const client = providerFor(connection);
    const offers = capabilities.gpus.offered && client.gpuOffers ? await askProvider(connection.name, user, () => client.gpuOffers!(templateRef)) : null;
    gpu = resolveOffer({ templateName: template.name, capabilities, plan: quota.plan, offers, order: gpuOrder ?? { gpu: null, rental: { rentalType: "on_demand" }, planRentalType: "on_demand" }, size: input.size });
  }
  const size = gpu?.size ?? input.size;
  const below = [
    size.cpuCores < template.minCpuCores && `cpuCores must be at least ${template.minCpuCores}`,
    size.memoryMb < template.minMemoryMb && `memorySize must be at least ${template.minMemoryMb} MB`,
    size.diskGb < template.minDiskGb && `diskSize must be at least ${template.minDiskGb} GB`,
  ].filter(Boolean);
  if (below.length) throw new AppError("bad_request", `Requested resources are below the minimums of template "${template.name}": ${below.join("; ")}`);

  checkPerVm(quota, size);
  // Checked again under a lock when reserving; this early check spares the provider a call (a GPU order's spend is checked once priced, below).
  if (!gpu) checkAggregate(quota, size);

  const sshKeys = await resolveSshKeys(user.id, input.sshKeyIds ?? []);
  const userData = input.userData !== undefined ? checkUserData(input.userData) : undefined;
  const kindLabel = PROVIDER_CATALOG[connection.kind].label;
  if (sshKeys.length > capabilities.cloudInit.maxSshKeys) {
    throw new AppError("bad_request", `${kindLabel} installs at most ${capabilities.cloudInit.maxSshKeys} SSH key${capabilities.cloudInit.maxSshKeys === 1 ? "" : "s"} per VM; ${sshKeys.length} were chosen`);
  }
  if (userData !== undefined && capabilities.cloudInit.userData !== true) {
    throw new AppError("bad_request", `user_data cannot be used with template "${template.name}": ${capabilities.cloudInit.userData.unsupported}`);
  }

  const kind = moduleFor(connection.kind);
  const options = kind.createOptions.safeParse(input.options);
  if (!options.success) throw new AppError("bad_request", zodMessage(options.error));
  const provider = providerFor(connection);
  const request: CreateRequest = {
    name: input.name,
    template: templateRef,
    size,
    ...(gpu && gpuOrder ? { rental: { type: gpuOrder.planRentalType, ...(gpuOrder.rental.autoRestart !== undefined ? { autoRestart: gpuOrder.rental.autoRestart } : {}) } } : {}),
    options: options.data,
    cloudInit: {
      user: input.cloudInit.user ?? template.ciuser ?? undefined,
      password: input.cloudInit.password,
      sshKeys: sshKeys.length ? sshKeys : undefined,
      ...(userData !== undefined ? { userData } : {}),
    },
    description: `Created by Hangar for ${user.email}`,
  };
  let pricing: GpuPricing | null = null;
  if (gpu && gpuOrder?.gpu) {
    pricing = await priceGpuOrder(provider, request, gpu.offer, { ...gpuOrder, gpu: gpuOrder.gpu }, size, quota.prices);
    checkAggregate(quota, size, Number(pricing.committed));
    const problem = gpuPoolProblem(gpu.offer, await gpusHeld(db(), connection.id, gpu.offer.gpuType), gpuOrder.gpu.count);
    if (problem) throw new AppError("bad_request", problem);
  }
  const checked = await askProvider(connection.name, user, () => provider.precheck(request));
  if (checked.problems.length) throw new AppError("bad_request", checked.problems.join("; "));
  request.options = checked.options;
  // Ids the database refused because another process wrote them first (see below).
  const collided = new Set<string>();
  // An id is the request's once claimed for every portal process (lib/vms/ref-claims.ts).
  const taken = async (refId: string) => collided.has(refId) || !(await claimProviderRef(connection.id, refId));
  // The login and the user's cloud-config (which may hold secrets too) are sealed in the task's input.
  const { password, sshKeys: keys } = request.cloudInit;
  const sealed = password || keys || userData ? encryptJson({ password, sshKeys: keys, ...(userData !== undefined ? { userData } : {}) }) : undefined;
  const taskId = newTaskId("clone");
  /** Reserves the quota and writes the VM row, its task and job, and the audit event, in one transaction. */
  const acceptAndReserve = async (accepted: Accepted): Promise<void> => {
    const taskInput: CreateVmTaskInput = { request: { ...request, cloudInit: { user: request.cloudInit.user } }, sealed, accepted: accepted.ref };
    const steps = provider.createSteps(request, accepted.ref);
    // Retried when PostgreSQL aborts it for a deadlock or serialization failure.
    await transaction(
      async (tx) => {
        const vm = await reserveVm(tx, {
          userId: user.id,
          context: quota,
          gpus: gpu ? { count: gpuOrder!.gpu!.count, offer: gpu.offer } : undefined,
          data: {
            name: input.name,
            providerId: connection.id,
            templateId: template.id,
            ...(accepted.ref ? { providerRef: accepted.ref.data, providerRefId: accepted.ref.id } : {}),
            ...sizeColumns(size),
            ...(gpuOrder && pricing ? rentalColumns(gpuOrder, pricing) : {}),
            status: "creating",
          },
        });
        await acceptTask(tx, createVmKind, {
          id: taskId,
          userId: user.id,
          vmId: vm.id,
          input: taskInput,
          steps: [
            { key: "reserve_quota", name: "Reserve quota", done: true, detail: { ...sizeColumns(size), plan: quota.planName, team: quota.team?.name ?? null } },
            ...(accepted.step ? [{ ...accepted.step, done: true }] : []),
            ...steps.map((s) => ({ key: s.key, name: s.name })),
          ],
          line: `Accepted: ${input.name} from ${template.name} (${sizeText(size)}) ${accepted.describe}`.trim(),
        });
        await recordAudit(tx, {
          actor: { id: user.id, email: user.email },
          action: "vm.create",
          targetType: "vm",
          targetId: vm.id,
          after: { ...taskInput.request, provider: connection.name, providerRef: accepted.ref?.id ?? null, taskId } as unknown as JsonObject,
        });
      },
      { name: "create VM" },
    );
  };
  let accepted: Accepted;
  for (let attempt = 1; ; attempt++) {
    accepted = await askProvider(connection.name, user, () => provider.accept(request, taken));
    try {
      await acceptAndReserve(accepted);
      break;
    } catch (error) {
      // Another portal process handed out the same id between our check and our write: the
      // database's unique index (lib/db/raw-indexes.ts) refused ours, so take the next one.
      if (!accepted.ref || !isUniqueViolation(error, VM_LIVE_REF_INDEX) || attempt >= MAX_ACCEPT_ATTEMPTS) throw error;
      collided.add(accepted.ref.id);
      log.info({ ref: accepted.ref.id, provider: connection.name }, "the provider id was taken by another process meanwhile; taking another");
    }
  }

  log.info({ taskId, ref: accepted.ref?.id, user: user.email, template: template.name }, "create VM accepted");
  await queueQuotaCheck(user.id); // the reservation counts: a worker tells at 80 % and 100 %
  return { taskId, vmName: input.name, providerRefId: accepted.ref?.id ?? null };
}
