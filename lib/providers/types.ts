/**
 * The one interface every provider kind implements (lib/providers/<kind>/provider.ts), so the
 * task runner, discovery and the admin console never see a vendor's wire format.
 */
export type ProviderKind = "pve" | "vergeos" | "nova";

export type TlsOptions = {
  /** false: accept any certificate (self-signed labs). */
  verify: boolean;
  /** PEM of a CA to trust instead of the system store. */
  ca?: string;
  /** SHA-256 fingerprint of the server certificate, `AA:BB:…`; pins that exact certificate. */
  fingerprint?: string;
};

export type ProviderConnectionConfig = {
  kind: ProviderKind;
  baseUrl: string;
  credentials: Record<string, string>;
  tls: TlsOptions;
  settings?: Record<string, unknown>;
  /** Deadlines, ms: one HTTP attempt, and one call with its retries (HANGAR_PROVIDER_*_SECONDS). */
  timeouts?: { requestMs: number; callMs: number };
};

/** A line of a provider's own task log, kept in the portal's task history. */
export type ProviderLogLine = { n: number; t: string };

export type NodeInfo = { name: string; online: boolean; cpus?: number; memoryBytes?: number };
export type StorageInfo = { node: string; storage: string; type?: string; content: string[]; shared: boolean; availableBytes?: number; enabled: boolean };
export type TemplateInfo = { node: string; vmid: number; name: string; cpuCores?: number; memoryMb?: number; diskGb?: number };

export type VmPowerState = "running" | "stopped" | "paused" | "unknown";
export type VmStatus = { state: VmPowerState; lock?: string; cpus?: number; memoryMb?: number; diskGb?: number; uptimeSeconds?: number };

export type ProviderErrorKind =
  | "auth" // 401/403: credentials refused
  | "parameter" // 400: a parameter the provider rejected (details per parameter)
  | "locked" // the VM is locked by another operation (retryable)
  | "conflict" // e.g. VMID or name already exists
  | "not_found"
  | "task_failed" // an asynchronous provider task ended in error
  | "network" // could not reach the provider (retryable)
  | "unavailable" // 502/503 (retryable)
  | "tls" // certificate rejected / fingerprint mismatch
  | "server"; // any other provider error

/** Every provider failure, carrying the provider's own words. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; errors?: Record<string, string>; upid?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "ProviderError";
  }

  get retryable(): boolean {
    return this.kind === "locked" || this.kind === "network" || this.kind === "unavailable";
  }
}

/** Where a VM lives on its provider. */
export type VmRef = { node: string; vmid: number };

/** What the portal asks a provider to build from a template. */
export type CreateVmSpec = {
  template: { node: string; vmid: number };
  targetNode: string;
  vmid: number;
  name: string;
  cpuCores: number;
  memoryMb: number;
  diskGb: number;
  storage: string;
  ciuser?: string;
  cipassword?: string;
  sshKeys?: string[];
  description?: string;
};

/**
 * What a provisioning step may do besides calling its provider: remember facts for later steps
 * and for a retried job (persisted at once), and record the provider's task ids and log lines.
 */
export type StepContext = {
  /** Facts remembered by earlier steps (and by this step in an earlier attempt). */
  readonly state: Readonly<Record<string, unknown>>;
  remember(facts: Record<string, unknown>): Promise<void>;
  setUpid(upid: string): Promise<void>;
  log(lines: ProviderLogLine[] | string): Promise<void>;
};

export type ProvisionStep = {
  key: string;
  name: string;
  /** Must be safe to run again after a crash: check what already happened before acting. */
  run(ctx: StepContext): Promise<void>;
};

export type PowerAction = "start" | "stop" | "shutdown" | "reboot";

/** What a user may ask of an existing VM; each becomes a durable task of provider steps. */
export type VmAction = PowerAction | "delete" | "resize";
export const VM_ACTIONS: readonly VmAction[] = ["start", "stop", "shutdown", "reboot", "delete", "resize"];

/**
 * Parameters of an action. `resize`: the wanted sizes, each only when it changes (cores and
 * memory are set together; the disk only grows, to this absolute size). `shutdown`: how long
 * the guest gets to power off cleanly before it is stopped.
 */
export type VmActionParams = {
  resize?: { cpuCores?: number; memoryMb?: number; diskGb?: number };
  shutdownTimeoutSeconds?: number;
};

/** A VM as the provider reports it (for reconciling the portal's records with reality). */
export type ProviderVm = { node: string; vmid: number; name: string; status: string; cpuCores?: number; memoryMb?: number; diskGb?: number };

/** The interface each provider kind implements (lib/providers/<kind>/provider.ts). */
export interface VmProvider {
  readonly kind: ProviderKind;
  testConnection(): Promise<{ version: string }>;
  discover(): Promise<{ nodes: NodeInfo[]; storages: StorageInfo[]; templates: TemplateInfo[] }>;
  nodes(): Promise<NodeInfo[]>;
  /** A free VM id, skipping ids the portal has already handed out (`taken`). */
  allocateVmId(taken: (vmid: number) => Promise<boolean>): Promise<number>;
  provisionSteps(spec: CreateVmSpec): ProvisionStep[];
  /** Stops (if needed) and destroys a VM; a VM that does not exist is fine. */
  destroyVm(ref: VmRef, log?: (lines: ProviderLogLine[] | string) => Promise<void>): Promise<void>;
  power(ref: VmRef, action: PowerAction): Promise<void>;
  /**
   * The steps of an action on an existing VM: start, stop (hard), shutdown (clean, then stop
   * after a timeout), reboot, delete (stop, then destroy with its disks; a VM already gone is
   * done) or resize (cores and memory, then grow the disk; disks never shrink). Every step
   * checks the VM's state first, so a retried job never repeats what already happened.
   */
  actionSteps(action: VmAction, ref: VmRef, params?: VmActionParams): ProvisionStep[];
  status(ref: VmRef): Promise<VmStatus>;
  /** Every VM (not templates) the provider has. */
  listVms(): Promise<ProviderVm[]>;
}
