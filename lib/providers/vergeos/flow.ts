/**
 * The VergeOS create flow and lifecycle as small steps over VergeClient, with no database and no
 * core types, so a provider module can wrap each as a task step. Every step is safe to run again
 * after a crash: it first looks for what it would make (the VM by name, the boot drive by name,
 * NICs per vnet, devices per group) and only makes what is missing.
 *
 * Power actions take the VM key; drives, NICs, devices and status take the machine key.
 */
import { ProviderError } from "../types";
import { VergeClient } from "./client";
import { VergeOsError } from "./errors";
import { sha512Crypt } from "./sha512-crypt";
import { DEFAULT_POLL_MS, DEFAULT_POWER_TIMEOUT_MS, KILL_BEFORE_DELETE, STATUS_FAILED, STATUS_RUNNING, STATUS_STOPPED } from "./protocol-guesses";
import type {
  ClusterKey,
  DeviceKey,
  DriveKey,
  FileKey,
  MachineKey,
  NicKey,
  ResourceGroupUuid,
  TierNumber,
  VergeCloudInitFile,
  VergeDriveInterface,
  VergeMachineStatus,
  VergeNicInterface,
  VergeVideo,
  VergeVm,
  VmKey,
  VnetKey,
} from "./types";

/** What the portal asks for, in VergeOS terms (units in the names). */
export type VergeCreatePlan = {
  /** Unique VM name (VergeOS answers 409 for a taken one). */
  name: string;
  /**
   * Marks VMs this flow made (kept in the VM's description): a VM found by name without it is
   * someone else's, and the step fails with `conflict` instead of adopting it.
   */
  ownerTag: string;
  description?: string;
  cluster: ClusterKey;
  cpuCores: number;
  ramMb: number;
  /** Boot drive size, bytes. */
  diskBytes: number;
  mediaSource: FileKey;
  /** `import` (a copy of the image; default) or `clone`. */
  driveMedia?: "import" | "clone";
  driveInterface?: VergeDriveInterface;
  preferredTier?: TierNumber;
  vnets: VnetKey[];
  nicInterface?: VergeNicInterface;
  /** One entry per GPU: the resource group's UUID (repeat it for two of a kind). */
  gpuGroups: ResourceGroupUuid[];
  uefi?: boolean;
  guestAgent?: boolean;
  video?: VergeVideo;
  /** `userData`: the user's own cloud-config, merged after Hangar's login part. */
  cloudInit?: { user?: string; password?: string; sshKeys?: string[]; userData?: string };
};

export type VmKeys = { vm: VmKey; machine: MachineKey };
export type WaitOptions = { timeoutMs?: number; pollMs?: number; signal?: AbortSignal };

export const BOOT_DRIVE_NAME = "boot";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

const isKind = (error: unknown, kind: ProviderError["kind"]) => error instanceof ProviderError && error.kind === kind;

/**
 * A cloud-init multipart user-data: Hangar's login part, then the user's
 * cloud-config, merged with lists appended and dicts recursed (cloud-init's merging: "Merge-Type").
 */
export function withUserData(login: string, userData: string): string {
  let boundary = "==HANGAR-CLOUD-INIT==";
  while (userData.includes(boundary) || login.includes(boundary)) boundary = `=${boundary}=`;
  const part = (filename: string, contents: string, extra: string[] = []) =>
    [`--${boundary}`, 'Content-Type: text/cloud-config; charset="utf-8"', "MIME-Version: 1.0", `Content-Disposition: attachment; filename="${filename}"`, ...extra, "", contents.replace(/\n?$/, "")].join("\n");
  return [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "MIME-Version: 1.0",
    "",
    part("hangar-login.cfg", login),
    part("user-data.cfg", userData, ["Merge-Type: list(append)+dict(recurse_array)+str()"]),
    `--${boundary}--`,
    "",
  ].join("\n");
}

/** YAML double-quoted scalar (JSON strings are valid YAML). */
const y = (s: string) => JSON.stringify(s);

/**
 * `#cloud-config` user-data and meta-data for the user's login (name, password and/or SSH keys).
 * With the user's own cloud-config the user-data is a MIME multipart message: the login part
 * first, then theirs, merged by cloud-init with lists appended (`Merge-Type`), so their `users`,
 * `packages` or `runcmd` add to the login rather than replace it.
 * The password never appears in the files (anyone who may read the VM's cloud-init files in
 * VergeOS would see it): only its SHA-512 crypt hash (`$6$`, a fresh salt each time), as
 * `hashed_passwd` (applied also to a user the image already has) and `passwd` (older cloud-init).
 */
export function cloudInitFiles(plan: Pick<VergeCreatePlan, "name" | "cloudInit">, hash: (password: string) => string = sha512Crypt): VergeCloudInitFile[] {
  const ci = plan.cloudInit ?? {};
  const lines = ["#cloud-config"];
  if (ci.user) {
    lines.push("users:", `  - name: ${y(ci.user)}`, `    sudo: ${y("ALL=(ALL) NOPASSWD:ALL")}`, "    shell: /bin/bash");
    if (ci.password) {
      const hashed = y(hash(ci.password));
      lines.push("    lock_passwd: false", `    hashed_passwd: ${hashed}`, `    passwd: ${hashed}`);
    }
    if (ci.sshKeys?.length) lines.push("    ssh_authorized_keys:", ...ci.sshKeys.map((k) => `      - ${y(k.trim())}`));
    if (ci.password) lines.push("ssh_pwauth: true");
  }
  const host = plan.name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63) || "vm";
  const login = `${lines.join("\n")}\n`;
  return [
    { name: "user-data", contents: ci.userData ? (lines.length > 1 ? withUserData(login, ci.userData) : ci.userData) : login },
    { name: "meta-data", contents: `instance-id: ${y(plan.name)}\nlocal-hostname: ${y(host)}\n` },
  ];
}

function ownedBy(vm: VergeVm, tag: string): boolean {
  return (vm.description ?? "").includes(tag);
}

/**
 * Step 1: the VM (`POST /vms`) → its VM key and machine key. Finds a VM of that name first: ours
 * (tagged) is reused, anyone else's is a `conflict`. A 409 on create (our own earlier create that
 * answered late) is resolved by looking again.
 */
export async function ensureVm(client: VergeClient, plan: VergeCreatePlan): Promise<VmKeys> {
  const adopt = async (vm: VergeVm): Promise<VmKeys> => {
    if (!ownedBy(vm, plan.ownerTag)) throw new VergeOsError("conflict", "conflict", `A VM named '${plan.name}' already exists on VergeOS`, { status: 409 });
    return { vm: vm.key, machine: vm.machine ?? (await client.machineOf(vm.key)) };
  };
  const existing = await client.findVmByName(plan.name);
  if (existing) return adopt(existing);
  const description = [plan.description, plan.ownerTag].filter(Boolean).join("\n");
  try {
    const created = await client.createVm({
      name: plan.name,
      description,
      cluster: plan.cluster,
      cpuCores: plan.cpuCores,
      ramMb: plan.ramMb,
      guestAgent: plan.guestAgent ?? true,
      uefi: plan.uefi,
      video: plan.video,
      cloudInit: plan.cloudInit ? { datasource: "nocloud", files: cloudInitFiles(plan) } : undefined,
    });
    return { vm: created.key, machine: created.machine ?? (await client.machineOf(created.key)) };
  } catch (error) {
    if (!isKind(error, "conflict")) throw error;
    const again = await client.findVmByName(plan.name);
    if (again) return adopt(again);
    throw error;
  }
}

/**
 * Step 2: the boot drive on the machine, from the template's media source (import or clone),
 * virtio-scsi, size in bytes, preferred tier; found again by its name. Then grown to `diskBytes`
 * when smaller. 507 (tier full) surfaces as VergeOsError reason `storage_full`.
 */
export async function ensureBootDrive(client: VergeClient, machine: MachineKey, plan: VergeCreatePlan): Promise<DriveKey> {
  const drives = await client.drives(machine);
  let drive = drives.find((d) => d.name === BOOT_DRIVE_NAME);
  let key = drive?.key;
  if (!key) {
    const created = await client.createDrive({
      machine,
      name: BOOT_DRIVE_NAME,
      media: plan.driveMedia ?? "import",
      interface: plan.driveInterface ?? "virtio-scsi",
      mediaSource: plan.mediaSource,
      sizeBytes: plan.diskBytes,
      preferredTier: plan.preferredTier,
    });
    key = created.key;
    drive = undefined;
  }
  await growDrive(client, key, plan.diskBytes, drive?.sizeBytes);
  return key;
}

/** Grows a drive to `sizeBytes` when it is smaller (drives never shrink). */
export async function growDrive(client: VergeClient, drive: DriveKey, sizeBytes: number, knownSize?: number): Promise<void> {
  const current = knownSize ?? (await client.getDrive(drive)).sizeBytes;
  if (current === undefined || current < sizeBytes) await client.resizeDrive(drive, sizeBytes);
}

/** Step 3: one NIC per entry of `plan.vnets` (counted per vnet, so a re-run adds only what is missing). */
export async function ensureNics(client: VergeClient, machine: MachineKey, plan: Pick<VergeCreatePlan, "vnets" | "nicInterface">): Promise<NicKey[]> {
  const existing = await client.nics(machine);
  const unused = [...existing];
  const keys: NicKey[] = [];
  for (const vnet of plan.vnets) {
    const i = unused.findIndex((n) => n.vnet === vnet);
    if (i >= 0) {
      keys.push(unused[i]!.key);
      unused.splice(i, 1);
      continue;
    }
    keys.push((await client.createNic({ machine, vnet, interface: plan.nicInterface ?? "virtio" })).key);
  }
  return keys;
}

/** Step 4: one device per entry of `plan.gpuGroups` (resource group UUIDs), counted per group. */
export async function ensureGpus(client: VergeClient, machine: MachineKey, plan: Pick<VergeCreatePlan, "gpuGroups">): Promise<DeviceKey[]> {
  if (plan.gpuGroups.length === 0) return [];
  const existing = await client.devices(machine);
  const needKeys = existing.some((d) => d.resourceGroup !== undefined && !d.resourceGroup.includes("-"));
  const groups = needKeys ? await client.resourceGroups() : [];
  const inGroup = (d: (typeof existing)[number], uuid: ResourceGroupUuid) => VergeClient.deviceInGroup(d, groups.find((g) => g.uuid.toLowerCase() === uuid.toLowerCase()) ?? { uuid });
  const unused = [...existing];
  const keys: DeviceKey[] = [];
  for (const uuid of plan.gpuGroups) {
    const i = unused.findIndex((d) => inGroup(d, uuid));
    if (i >= 0) {
      keys.push(unused[i]!.key);
      unused.splice(i, 1);
      continue;
    }
    keys.push((await client.createDevice({ machine, resourceGroup: uuid })).key);
  }
  return keys;
}

export type PowerState = "running" | "stopped" | "transition" | "error" | "unknown";

/** Reads a status row as a power state (see protocol-guesses for the rules). */
export function powerState(status: VergeMachineStatus | undefined): PowerState {
  if (!status) return "unknown";
  if (status.status === STATUS_FAILED) return "error";
  if (status.running === true && (status.status === STATUS_RUNNING || status.status === undefined)) return "running";
  if (status.running === false && (status.status === STATUS_STOPPED || status.status === undefined)) return "stopped";
  return "transition";
}

/** Polls machine status until `target`; `error` fails with the status text (ProviderError task_failed). */
export async function waitForPower(client: VergeClient, machine: MachineKey, target: "running" | "stopped", options: WaitOptions = {}): Promise<VergeMachineStatus> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_POWER_TIMEOUT_MS);
  for (;;) {
    options.signal?.throwIfAborted();
    const status = await client.machineStatus(machine);
    const state = powerState(status);
    if (state === target && status) return status;
    if (state === "error") throw new ProviderError("task_failed", `VergeOS reports the machine in error${status?.statusInfo ? `: ${status.statusInfo}` : ""}`);
    if (Date.now() + pollMs > deadline) {
      throw new VergeOsError("server", "timeout", `The VM did not reach '${target}' in time (last status: ${status?.status ?? "none"})`);
    }
    await sleep(pollMs, options.signal);
  }
}

/** Polls until the machine is running, stopped or in error (whichever comes first). */
async function settle(client: VergeClient, machine: MachineKey, options: WaitOptions): Promise<VergeMachineStatus | undefined> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_POWER_TIMEOUT_MS);
  for (;;) {
    options.signal?.throwIfAborted();
    const status = await client.machineStatus(machine);
    if (powerState(status) !== "transition" || Date.now() + pollMs > deadline) return status;
    await sleep(pollMs, options.signal);
  }
}

/**
 * Power on (VM key) and wait until running (machine key). Already running: nothing to do;
 * a 409 (it started meanwhile) is fine. 507: no free device / resources at power-on.
 */
export async function powerOn(client: VergeClient, keys: VmKeys, options: WaitOptions = {}): Promise<void> {
  let state = powerState(await client.machineStatus(keys.machine));
  // Mid-change (starting, stopping, ...): let it settle first, then decide.
  if (state === "transition") state = powerState(await settle(client, keys.machine, options));
  if (state !== "running") {
    try {
      await client.vmAction(keys.vm, "poweron");
    } catch (error) {
      if (!isKind(error, "conflict")) throw error;
    }
  }
  await waitForPower(client, keys.machine, "running", options);
}

/** Hard stop (`kill`) and wait until stopped; a stopped VM is left alone. */
export async function stopVm(client: VergeClient, keys: VmKeys, options: WaitOptions = {}): Promise<void> {
  if (powerState(await client.machineStatus(keys.machine)) === "stopped") return;
  try {
    await client.vmAction(keys.vm, "kill");
  } catch (error) {
    if (!isKind(error, "conflict")) throw error;
  }
  await waitForPower(client, keys.machine, "stopped", options);
}

/**
 * Clean shutdown: `poweroff` (ACPI), wait up to `graceMs`, then `kill`. Answers whether the guest
 * stopped by itself.
 */
export async function shutdownVm(client: VergeClient, keys: VmKeys, graceMs: number, options: WaitOptions = {}): Promise<{ forced: boolean }> {
  if (powerState(await client.machineStatus(keys.machine)) === "stopped") return { forced: false };
  try {
    await client.vmAction(keys.vm, "poweroff");
  } catch (error) {
    if (!isKind(error, "conflict")) throw error;
  }
  try {
    await waitForPower(client, keys.machine, "stopped", { ...options, timeoutMs: graceMs });
    return { forced: false };
  } catch (error) {
    if (!(error instanceof VergeOsError && error.reason === "timeout")) throw error;
  }
  await stopVm(client, keys, options);
  return { forced: true };
}

/** Graceful reset (ACPI reboot, `params.graceful`); the VM must be running (409 otherwise). */
export async function rebootVm(client: VergeClient, keys: VmKeys): Promise<void> {
  await client.vmAction(keys.vm, "reset", { graceful: true });
}

/**
 * Delete: kill (if running) and wait, then `DELETE /vms/{key}` (drives, NICs and devices go with
 * it). A VM already gone is done.
 */
export async function deleteVm(client: VergeClient, keys: VmKeys, options: WaitOptions = {}): Promise<void> {
  try {
    if (KILL_BEFORE_DELETE) await stopVm(client, keys, options);
    await client.deleteVm(keys.vm);
  } catch (error) {
    if (isKind(error, "not_found")) return;
    throw error;
  }
}

/** Deletes the VM with this name if it exists and carries our tag (clean-up after a failed create). */
export async function deleteVmByName(client: VergeClient, name: string, ownerTag: string, options: WaitOptions = {}): Promise<boolean> {
  const vm = await client.findVmByName(name);
  if (!vm || !ownedBy(vm, ownerTag)) return false;
  await deleteVm(client, { vm: vm.key, machine: vm.machine ?? (await client.machineOf(vm.key)) }, options);
  return true;
}

/** Resize: cores and RAM (MB) with `PUT /vms/{key}`, then grow the boot drive to `diskBytes`. */
export async function resizeVm(client: VergeClient, keys: VmKeys, change: { cpuCores?: number; ramMb?: number; diskBytes?: number }): Promise<void> {
  if (change.cpuCores !== undefined || change.ramMb !== undefined) await client.updateVm(keys.vm, { cpuCores: change.cpuCores, ramMb: change.ramMb });
  if (change.diskBytes !== undefined) {
    const drives = await client.drives(keys.machine);
    const boot = drives.find((d) => d.name === BOOT_DRIVE_NAME) ?? drives[0];
    if (!boot) throw new VergeOsError("not_found", "not_found", "The VM has no drive to grow");
    await growDrive(client, boot.key, change.diskBytes, boot.sizeBytes);
  }
}

/** The guest's addresses once reported (NIC ipaddress, then agent data); [] after `timeoutMs`. */
export async function waitForAddresses(client: VergeClient, machine: MachineKey, options: WaitOptions = {}): Promise<string[]> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    options.signal?.throwIfAborted();
    const addresses = await client.guestAddresses(machine);
    if (addresses.length > 0 || Date.now() + pollMs > deadline) return addresses;
    await sleep(pollMs, options.signal);
  }
}

/** The whole create flow in order (for tests and scripts; a task runs the steps one by one). */
export async function createVmFlow(client: VergeClient, plan: VergeCreatePlan, options: WaitOptions & { addressTimeoutMs?: number } = {}): Promise<VmKeys & { drive: DriveKey; nics: NicKey[]; devices: DeviceKey[]; addresses: string[] }> {
  const keys = await ensureVm(client, plan);
  const drive = await ensureBootDrive(client, keys.machine, plan);
  const nics = await ensureNics(client, keys.machine, plan);
  const devices = await ensureGpus(client, keys.machine, plan);
  await powerOn(client, keys, options);
  const addresses = await waitForAddresses(client, keys.machine, { ...options, timeoutMs: options.addressTimeoutMs });
  return { ...keys, drive, nics, devices, addresses };
}
