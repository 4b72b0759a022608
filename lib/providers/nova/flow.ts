import { NovaClient } from "./client";
import { NovaError } from "./errors";
import { wasNeverSent } from "./transport";
import { OFFLINE_GRACE_MS, OFFLINE_IS_TRANSIENT } from "./protocol-guesses";
import { parseSshPublicKey, sameKey } from "./ssh-key";
import { NOVA_MAX_SSH_KEYS, type NovaCreateVmInput, type NovaSshKey, type NovaVm } from "./types";

/**
 * Nova rentals from start to end, on top of NovaClient, without a database or the portal's core
 * types: upload the user's key once (reused by fingerprint: an account holds at most 5), create,
 * wait until running with an address (or a terminal state, by name), start/stop/restart/destroy
 * and wait. The provider module turns these into durable task steps.
 */

export type WaitOptions = {
  /** Give up after this long, ms (default 15 min: GPU images are large). */
  timeoutMs?: number;
  /** First poll interval, ms (default 2 s), doubling up to `maxIntervalMs` (default 15 s). */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** How long `offline` is tolerated before giving up (default from protocol-guesses.ts). */
  offlineGraceMs?: number;
  /** Each status seen, for the task history. */
  onStatus?: (vm: NovaVm) => void | Promise<void>;
  signal?: AbortSignal;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** A VM usable by its user: running with an address. */
export function isReady(vm: NovaVm): boolean {
  return vm.status === "running" && !!vm.ipAddress;
}

/** The error for a VM that ended up in a state a wait cannot leave, with Nova's status by name. */
function stateError(vm: NovaVm, waitingFor: string): NovaError {
  const base = { vmId: vm.id, vmStatus: vm.status };
  switch (vm.status) {
    case "failed":
      return new NovaError("vm_failed", `The Nova VM ${vm.id} failed while ${waitingFor}.`, base);
    case "destroyed":
      return new NovaError("vm_destroyed", `The Nova VM ${vm.id} was destroyed while ${waitingFor}.`, base);
    case "interrupted":
      return new NovaError("vm_interrupted", `The Nova VM ${vm.id} was interrupted (its GPU went to an on-demand customer) while ${waitingFor}.`, base);
    case "offline":
      return new NovaError("vm_offline", `The Nova VM ${vm.id} stayed offline while ${waitingFor}.`, base);
    default:
      return new NovaError("vm_failed", `The Nova VM ${vm.id} is ${vm.status} while ${waitingFor}.`, base);
  }
}

/**
 * Polls `GET /vms/{id}` until `done(vm)`. `failed` and `destroyed` end the wait at once (a 404
 * counts as destroyed), as does `interrupted` unless `interruptedIsFinal` is false; `offline` is
 * tolerated for a grace period; unknown statuses are waited through.
 */
export async function waitForVm(client: NovaClient, id: string, done: (vm: NovaVm) => boolean, waitingFor: string, options: WaitOptions & { interruptedIsFinal?: boolean; goneIsDone?: boolean; tolerateInitial?: string[] } = {}): Promise<NovaVm | null> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const maxInterval = options.maxIntervalMs ?? 15_000;
  let interval = options.intervalMs ?? 2_000;
  let offlineSince: number | undefined;
  let last: NovaVm | undefined;
  // Right after an action Nova may still report the old state (e.g. `interrupted` just after a
  // start): those statuses are waited through until the VM has shown another one.
  let initial = new Set(options.tolerateInitial ?? []);
  for (;;) {
    const vm = await client.findVm(id);
    if (!vm) {
      if (options.goneIsDone) return null;
      throw new NovaError("vm_destroyed", `The Nova VM ${id} no longer exists (it was destroyed while ${waitingFor}).`, { vmId: id, vmStatus: "destroyed" });
    }
    if (vm.status !== last?.status || vm.ipAddress !== last?.ipAddress) await options.onStatus?.(vm);
    last = vm;
    if (done(vm)) return vm;
    if (initial.has(vm.status)) {
      if (Date.now() + interval > deadline) throw new NovaError("timeout", `The Nova VM ${id} was still ${vm.status} after ${Math.round(timeoutMs / 1000)} s while ${waitingFor}.`, { vmId: id, vmStatus: vm.status });
      await sleep(interval, options.signal);
      interval = Math.min(maxInterval, interval * 2);
      continue;
    }
    initial = new Set();
    if (vm.status === "failed" || vm.status === "destroyed") {
      if (vm.status === "destroyed" && options.goneIsDone) return null;
      throw stateError(vm, waitingFor);
    }
    if (vm.status === "interrupted" && (options.interruptedIsFinal ?? true)) throw stateError(vm, waitingFor);
    if (vm.status === "offline") {
      offlineSince ??= Date.now();
      if (!OFFLINE_IS_TRANSIENT || Date.now() - offlineSince >= (options.offlineGraceMs ?? OFFLINE_GRACE_MS)) throw stateError(vm, waitingFor);
    } else offlineSince = undefined;
    if (Date.now() + interval > deadline) {
      throw new NovaError("timeout", `The Nova VM ${id} was still ${vm.status} after ${Math.round(timeoutMs / 1000)} s while ${waitingFor}.`, { vmId: id, vmStatus: vm.status });
    }
    await sleep(interval, options.signal);
    interval = Math.min(maxInterval, interval * 2);
  }
}

/** Waits for `running` with an `ip_address`; `tolerateInitial` statuses are waited through until the VM leaves them. */
export function waitUntilReady(client: NovaClient, id: string, options: WaitOptions & { tolerateInitial?: string[] } = {}): Promise<NovaVm> {
  return waitForVm(client, id, isReady, "starting", options) as Promise<NovaVm>;
}

export type EnsureKeyResult = { key: NovaSshKey; reused: boolean };

/**
 * The account's key with this public key's fingerprint, uploaded if it has none. With the 5 keys
 * an account may hold already taken by others, fails with `ssh_key_limit` and a message saying
 * what to do (Hangar never deletes a user's keys on its own).
 */
export async function ensureSshKey(client: NovaClient, publicKey: string, label?: string): Promise<EnsureKeyResult> {
  let parsed;
  try {
    parsed = parseSshPublicKey(publicKey);
  } catch (error) {
    throw new NovaError("validation", (error as Error).message, { errors: { ssh_public_key: (error as Error).message } });
  }
  const findMatch = async (): Promise<{ match?: NovaSshKey; count?: number }> => {
    try {
      const keys = await client.listSshKeys();
      return { match: keys.find((k) => sameKey(k, parsed)), count: keys.length };
    } catch (error) {
      // The list endpoint is a guess: if it is not there (404, 405, any refusal but auth or rate
      // limit) or its reply is unreadable, upload and let Nova decide.
      const status = error instanceof NovaError ? error.details.status : undefined;
      const missing = error instanceof NovaError && ((status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429) || (error.novaKind === "server" && status === undefined));
      if (missing) return {};
      throw error;
    }
  };
  const before = await findMatch();
  if (before.match) return { key: before.match, reused: true };
  const limitError = () =>
    new NovaError("ssh_key_limit", `Your Nova Cloud account already holds ${NOVA_MAX_SSH_KEYS} SSH keys, the most it may have, and none of them is this key (${parsed.fingerprint}). Remove one in Nova Cloud, or use one of those keys.`, {
      errors: { ssh_key: "account key limit reached" },
    });
  if (before.count !== undefined && before.count >= NOVA_MAX_SSH_KEYS) throw limitError();
  try {
    const key = await client.uploadSshKey(publicKey, label ?? (parsed.comment || "Hangar"));
    return { key, reused: false };
  } catch (error) {
    if (error instanceof NovaError && (error.novaKind === "conflict" || error.novaKind === "bad_request" || error.novaKind === "ssh_key_limit")) {
      // Uploaded meanwhile (another task), or Nova refuses duplicates: find it again.
      const after = await findMatch();
      if (after.match) return { key: after.match, reused: true };
      if (error.novaKind === "ssh_key_limit") throw limitError();
    }
    throw error;
  }
}

export type RentalRequest = Omit<NovaCreateVmInput, "ssh_key_id" | "auth_method" | "password"> & {
  /** The user's OpenSSH public key (uploaded once, reused by fingerprint), or a password. */
  access: { sshPublicKey: string; keyLabel?: string } | { password: string };
};

export type RentalResult = { vm: NovaVm; sshKey?: NovaSshKey; sshKeyReused?: boolean };

export type CreateRentalOptions = WaitOptions & {
  /** Called with the new VM as soon as Nova accepted it (record its id before waiting: it bills from now on). */
  onCreated?: (vm: NovaVm) => void | Promise<void>;
  /**
   * List the account's VMs before creating, so that a create whose answer was lost (timeout, 502,
   * 504: Nova may have made the VM) can be recognised instead of repeated (default true).
   */
  reconcile?: boolean;
};

/** Every VM of the account (pages of `limit` until a short page; at most `maxPages`). */
export async function listAllVms(client: NovaClient, limit = 50, maxPages = 40): Promise<NovaVm[]> {
  const all: NovaVm[] = [];
  for (let page = 0; page < maxPages; page++) {
    const batch = await client.listVms({ limit, offset: page * limit });
    all.push(...batch);
    if (batch.length < limit) break;
  }
  return all;
}

/** Could Nova have made the VM although the create failed? (The answer was lost, not a refusal.) */
function ambiguous(error: unknown): error is NovaError {
  if (!(error instanceof NovaError)) return false;
  if (error.novaKind === "network") return !wasNeverSent(error);
  return error.novaKind === "unavailable" || (error.novaKind === "server" && (error.details.status ?? 500) >= 500);
}

/**
 * `POST /vms` exactly once. When its answer is lost (timeout, 502, 504: Nova may have made the VM)
 * and `before` holds the account's VM ids from just before, the one new VM of that shape is
 * recognised instead of repeating the POST (a second rental would bill too); with none or several
 * candidates the error says to check the account. Nova's refusals pass unchanged.
 */
export async function createOrRecognise(client: NovaClient, body: NovaCreateVmInput, before?: ReadonlySet<string>): Promise<NovaVm> {
  try {
    return await client.createVm(body);
  } catch (error) {
    if (!before || !ambiguous(error)) throw error;
    let after: NovaVm[];
    try {
      after = await listAllVms(client);
    } catch {
      throw new NovaError(error.novaKind, `${error.message}. Nova may have created the VM anyway; check the Nova account before trying again.`, { status: error.details.status, cause: error });
    }
    const candidates = newVmsLike(after, before, body);
    if (candidates.length !== 1) {
      const found = candidates.length === 0 ? "no new VM was found" : `${candidates.length} new VMs of that kind were found`;
      throw new NovaError(error.novaKind, `${error.message}. The create's answer was lost and ${found}; check the Nova account before trying again.`, { status: error.details.status, cause: error });
    }
    return candidates[0] as NovaVm;
  }
}

/** The VMs of `after` not in `before` that have the node, GPU type, count and disk of `body` (and are not destroyed). */
export function newVmsLike(after: NovaVm[], before: ReadonlySet<string>, body: Pick<NovaCreateVmInput, "node" | "gpu_type" | "gpu_count" | "storage_gb">): NovaVm[] {
  return after.filter(
    (v) => !before.has(v.id) && v.node === body.node && v.gpuType === body.gpu_type && v.gpuCount === body.gpu_count && (v.storageGb === undefined || v.storageGb === body.storage_gb) && v.status !== "destroyed",
  );
}

/**
 * Rents a GPU machine: the key (if any), `POST /vms` with every field checked, then waits until
 * it runs with an address. Nova's refusals keep their words (`insufficient_balance`,
 * `sold_out`, `validation`…); a VM that fails or is destroyed on the way ends it by name. A VM
 * that was created but did not become ready is left to the caller (its id is on the error and was
 * given to `onCreated`), who decides whether to destroy it.
 */
export async function createRental(client: NovaClient, request: RentalRequest, options: CreateRentalOptions = {}): Promise<RentalResult> {
  const { access, ...fields } = request;
  let sshKey: EnsureKeyResult | undefined;
  let auth: Pick<NovaCreateVmInput, "auth_method" | "ssh_key_id" | "password">;
  if ("password" in access) auth = { auth_method: "password", password: access.password };
  else {
    sshKey = await ensureSshKey(client, access.sshPublicKey, access.keyLabel);
    auth = { auth_method: "ssh_key", ssh_key_id: sshKey.key.id };
  }
  const body = { ...fields, ...auth };
  const reconcile = options.reconcile ?? true;
  const before = reconcile ? new Set((await listAllVms(client)).map((v) => v.id)) : undefined;
  const created = await createOrRecognise(client, body, before);
  await options.onCreated?.(created);
  const vm = isReady(created) ? created : await waitUntilReady(client, created.id, options);
  return { vm, sshKey: sshKey?.key, sshKeyReused: sshKey?.reused };
}

/** Starts a VM (also one that was interrupted) and waits until it runs with an address. */
export async function startRental(client: NovaClient, id: string, options: WaitOptions = {}): Promise<NovaVm> {
  const vm = await client.getVm(id);
  if (isReady(vm)) return vm;
  if (vm.status !== "starting" && vm.status !== "creating") await client.vmAction(id, "start");
  return waitUntilReady(client, id, { ...options, tolerateInitial: [vm.status] });
}

/** Stops a VM (GPU charges end; storage continues) and waits until `stopped`. */
export async function stopRental(client: NovaClient, id: string, options: WaitOptions = {}): Promise<NovaVm> {
  const vm = await client.getVm(id);
  if (vm.status === "stopped") return vm;
  if (vm.status !== "stopping") await client.vmAction(id, "stop");
  return (await waitForVm(client, id, (v) => v.status === "stopped", "stopping", { ...options, interruptedIsFinal: false })) as NovaVm;
}

/** Restarts a running VM and waits until it runs again. */
export async function restartRental(client: NovaClient, id: string, options: WaitOptions = {}): Promise<NovaVm> {
  await client.vmAction(id, "restart");
  return waitUntilReady(client, id, options);
}

/** Destroys a VM (all charges end, irreversibly) and waits until Nova says it is gone (404 or `destroyed`). */
export async function destroyRental(client: NovaClient, id: string, options: WaitOptions = {}): Promise<void> {
  const existed = await client.deleteVm(id);
  if (!existed) return;
  await waitForVm(client, id, (v) => v.status === "destroyed", "being destroyed", { ...options, interruptedIsFinal: false, goneIsDone: true });
}

/** What Hangar records of a rental: the VM's real size and rates (Nova's, not the request's). */
export function recordedFacts(vm: NovaVm): {
  cpuCores?: number;
  memoryMb?: number;
  diskGb?: number;
  gpuType?: string;
  gpuCount?: number;
  rentalType?: string;
  hourlyRate: string | null;
  gpuHourlyRate: string | null;
  storageHourlyRate: string | null;
  ipAddress: string | null;
} {
  return {
    cpuCores: vm.cpuCores,
    memoryMb: vm.ramGb === undefined ? undefined : Math.round(vm.ramGb * 1024),
    diskGb: vm.storageGb,
    gpuType: vm.gpuType,
    gpuCount: vm.gpuCount,
    rentalType: vm.rentalType,
    hourlyRate: vm.hourlyRate,
    gpuHourlyRate: vm.gpuHourlyRate,
    storageHourlyRate: vm.storageHourlyRate,
    ipAddress: vm.ipAddress,
  };
}
