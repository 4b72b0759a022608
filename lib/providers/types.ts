import type { z } from "zod";
import type { ProviderKindName, RentalType } from "../schemas/catalog";
import type { Size } from "../schemas/size";

/**
 * What every provider kind declares and implements (lib/providers/<kind>/), so that the core
 * (lib/tasks, lib/vms, lib/quota, app/, components/) never sees a vendor's names or wire format.
 * The core decides (quota, order of checks, task bookkeeping); providers declare what they can
 * do and carry out steps.
 */
export type ProviderKind = ProviderKindName;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Where an object (a VM, a template) lives on its provider. `data` is opaque: only its provider
 * kind's module reads it (e.g. a host and a number, or a key pair, or a UUID). `id` is a short,
 * human-readable id, unique within its connection, for display and search.
 */
export type ProviderRef = { id: string; data: JsonObject };

export type TlsOptions = {
  /** false: accept any certificate (self-signed labs). */
  verify: boolean;
  /** PEM of a CA to trust instead of the system store. */
  ca?: string;
  /** SHA-256 fingerprint of the server certificate, `AA:BB:…`; pins that exact certificate. */
  fingerprint?: string;
};

export type ProviderConnectionConfig = {
  /** The connection's name, for messages. */
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  credentials: Record<string, string>;
  tls: TlsOptions;
  settings: Record<string, unknown>;
  /** Deadlines, ms: one HTTP attempt, and one call with its retries (HANGAR_PROVIDER_*_SECONDS). */
  timeouts?: { requestMs: number; callMs: number };
};

/**
 * A line of a provider's own task log, kept in the portal's task history. `error` marks a line
 * in which the provider reports its own failure (raw vendor words, often with paths and host
 * names): support and admins read it as the line's detail, users see only that the provider
 * reported an error (issue 7, finding 9).
 */
export type ProviderLogLine = { n: number; t: string; error?: boolean };

/** `interrupted`: an interruptible rental whose GPU was taken back by the provider (it may be started again). */
export type VmPowerState = "running" | "stopped" | "paused" | "interrupted" | "unknown";
export type VmStatus = { state: VmPowerState; lock?: string; cpus?: number; memoryMb?: number; diskGb?: number; uptimeSeconds?: number };

export type ProviderErrorKind =
  | "auth" // 401/403: credentials refused
  | "parameter" // 400: a parameter the provider rejected (details per parameter)
  | "locked" // the VM is locked by another operation (retryable)
  | "conflict" // e.g. an id or name already exists
  | "not_found"
  | "task_failed" // an asynchronous provider task ended in error
  | "network" // could not reach the provider (retryable)
  | "unavailable" // 502/503 (retryable)
  | "tls" // certificate rejected / fingerprint mismatch
  | "payment" // the provider's account cannot pay for it (e.g. Nova's "Insufficient balance…"): shown verbatim, not retried
  | "capacity" // sold out / no free device / storage tier full: nothing to retry now
  | "server"; // any other provider error

/** Marks a ProviderError of any copy of this module (see `Symbol.hasInstance` below). */
const PROVIDER_ERROR = Symbol.for("hangar.ProviderError");

/** Every provider failure, carrying the provider's own words. */
export class ProviderError extends Error {
  readonly [PROVIDER_ERROR] = true;

  /**
   * `instanceof ProviderError` holds for a ProviderError made by another copy of this module:
   * the portal's process runs Next's bundle and the worker's own module graph side by side, and
   * they share provider clients (lib/providers/registry.ts keeps them on globalThis), so an
   * error thrown by a client made in one is judged in the other. Subclasses keep the usual check.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ProviderError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[PROVIDER_ERROR] === true;
  }

  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; errors?: Record<string, string>; providerTaskId?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "ProviderError";
  }

  get retryable(): boolean {
    return this.kind === "locked" || this.kind === "network" || this.kind === "unavailable";
  }
}

/**
 * What a step may do besides calling its provider: remember facts for later steps and for a
 * retried job (persisted at once; private to the provider: the core never reads them), record
 * the provider's task ids, and add log lines to the task.
 */
export type StepContext = {
  /** Facts remembered by the task's steps so far (including this step in an earlier attempt). */
  readonly facts: Readonly<Record<string, unknown>>;
  remember(facts: Record<string, unknown>): Promise<void>;
  /** The provider's own id of an asynchronous job this step started (shown as `provider_task_id`). */
  recordProviderTask(id: string): Promise<void>;
  log(lines: ProviderLogLine[] | string): Promise<void>;
  /**
   * Create steps only (absent elsewhere): records at once that the VM being made will be `ref`
   * when it gets another id than the one accepted (e.g. the provider gave that id to another
   * client), so that no other request of the portal is handed it. False: another of the
   * portal's live VMs holds `ref` (take another id).
   */
  claimRef?(ref: ProviderRef): Promise<boolean>;
  /**
   * Create steps only (absent elsewhere): the provider has attached the VM's GPUs, so its own
   * count of free devices (the offers' `available`) no longer includes them. Call it right after
   * the provider confirmed the attachment, also when a retried step finds them attached.
   */
  gpusAttached?(): Promise<void>;
};

/** One step of a plan. `key` is stable (the engine matches stored steps by it); `name` is shown. */
export type ProviderStep = {
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
 * Parameters of an action. `resize`: the wanted sizes, each only when it changes (the disk only
 * grows, to this absolute size). `shutdown`: how long the guest gets to power off cleanly
 * before it is stopped.
 */
export type VmActionParams = {
  resize?: Partial<Pick<Size, "cpuCores" | "memoryMb" | "diskGb">>;
  shutdownTimeoutSeconds?: number;
};

/** What a provider kind can do, for the core and the UI to decide with. */
export type ProviderCapabilities = {
  /** Actions on an existing VM that the kind supports. */
  actions: readonly VmAction[];
  /** How a VM is placed: on a chosen host, anywhere in a cluster, or in a region. */
  placement: "host" | "cluster" | "region";
  /** The word for a placement in forms, e.g. "Node" or "Region". */
  placementLabel: string;
  gpus: { offered: boolean; rentalTypes: readonly RentalType[] };
  /** `free`: any size within the plan; `offers`: sizes come from the provider's offers. */
  sizes: "free" | "offers";
  /**
   * What the kind's first-boot setup takes: at most `maxSshKeys` SSH keys per VM, and custom
   * cloud-init user-data (`userData`: true, or why not, a sentence for people and API clients).
   */
  /** `minPasswordLength`: the shortest login password the kind takes (the wizard's hint and check). */
  cloudInit: { maxSshKeys: number; userData: true | { unsupported: string }; minPasswordLength: number };
};

/** A text field of a kind's template settings, for the admin console's template form. */
export type SettingField = { key: string; label: string; hint?: string };

/** What a kind tells the admin console and the configuration file (browser-safe). */
export type ProviderMetadata = {
  kind: ProviderKind;
  label: string;
  /** Example URL shown in the connection form. */
  urlHint: string;
  capabilities: ProviderCapabilities;
  /** The kind's template settings as form fields (their values are checked by `templateSettings`). */
  templateSettingFields: readonly SettingField[];
  /** The kind's connection settings as form fields and configuration-file keys (checked by `connectionSettings`). */
  connectionSettingFields: readonly SettingField[];
};

/** A template on its provider, as the portal stores it. */
export type ProviderTemplate = { ref: ProviderRef; settings: Record<string, unknown>; ciuser?: string | null; /** The portal's name of the template, for messages. */ name?: string };

/**
 * A GPU offer of a template on its provider, for the wizard, the API and the accept checks.
 * `gpuType` is an opaque id the provider (or its admin's mapping) gives, e.g. "4090": plans,
 * prices and VMs name GPUs by it; never a hard-coded list. Money is decimal strings.
 */
export type GpuOffer = {
  gpuType: string;
  /** For people, e.g. "RTX 4090". */
  label: string;
  /** GPU memory, GB, when known. */
  memoryGb?: number;
  /** The counts that can be ordered (e.g. [1, 2, 4, 8]). */
  counts: number[];
  /** Devices of this type Hangar may hand out on this connection (the pool, free or not). */
  total: number;
  /** Free now, as the provider says (the core also subtracts what its own accepted requests hold). */
  available: number;
  /** The placements (hosts, clusters, regions) that have it free, when the kind places VMs. */
  placements?: string[];
  /** Sizes that come with the offer, per GPU (kinds whose `sizes` is "offers"): shown, not typed. */
  perGpu?: { cpuCores: number; memoryMb: number; diskGb?: number };
  /** The provider's own hourly rates, when the provider bills (else the portal's price table); `interruptibleGpuHour` when it rents interruptibly. */
  rates?: { gpuHour: string; storageGbHour?: string; interruptibleGpuHour?: string; currency?: string };
  /** The rental types this offer can be had with (empty: on demand only). */
  rentalTypes: readonly RentalType[];
};

/** A request to build a VM, once the core has checked it (validation, permission, quota). */
export type CreateRequest = {
  name: string;
  template: ProviderTemplate;
  /** Sizes; `size.gpus` holds at most one GPU type (the chosen offer's) and its count. */
  size: Size;
  /** How the VM is rented (on_demand unless the kind offers other rental types). */
  rental?: { type: RentalType; autoRestart?: boolean };
  /** The kind's create options (checked by its `createOptions` schema), e.g. a placement. */
  options: Record<string, unknown>;
  /** `userData`: the user's own cloud-config (lib/schemas/user-data.ts), for kinds whose capabilities take it. */
  cloudInit: { user?: string; password?: string; sshKeys?: string[]; userData?: string };
  description?: string;
};

/** The provider's facts checked before a request is accepted: every problem, as the user reads it. */
export type Precheck = { problems: string[]; options: Record<string, unknown> };

/** What the provider fixed while the request was accepted (e.g. an id it handed out), recorded as an accepted step. */
export type Accepted = { ref: ProviderRef | null; step: { key: string; name: string } | null; describe: string };

/**
 * A finished create: where the VM is, its addresses, the size actually built, notices for the
 * user, and (providers that bill) the hourly rates the provider says the VM is billed at, decimal
 * strings: what cost accrual uses.
 */
export type CreateResult = { ref: ProviderRef; addresses: string[]; size: Size; notices: string[]; rates?: { gpuHour: string; storageHour: string; totalHour: string; currency?: string } };

/**
 * The keys of a provider's quote (`ProviderClient.quote`): amounts are decimal strings in
 * `currency`, null when they do not apply to the rental type. Hourly amounts are for the whole
 * VM (all its GPUs and its storage); `monthly` is 730 h at that rate (a reservation: its
 * monthly cost); `commitment` is what a monthly spend limit counts (a reservation: its whole
 * term). `source`: "provider" when the provider calculated the reservation, "rules" when it was
 * estimated from its documented rules.
 */
export const QUOTE_KEYS = [
  "currency",
  "gpuHourly",
  "storageHourly",
  "totalHourly",
  "onDemandHourly",
  "monthly",
  "commitment",
  "discountPercent",
  "deposit",
  "monthlyCost",
  "cancellationFee",
  "termCost",
  "source",
  "savingHourly",
  "savingPercent",
  "savingMonthly",
  "warning",
] as const;
export type QuoteKey = (typeof QUOTE_KEYS)[number];

/**
 * What a finished action leaves for the user and the VM page. `size`: after a resize, the size
 * the provider reports (read back; what the portal records, counts and bills).
 */
export type ActionOutcome = { notices: string[]; pendingRestart: boolean; size?: Partial<Pick<Size, "cpuCores" | "memoryMb" | "diskGb">> };

/** A VM as the provider reports it (for reconciling the portal's records with reality). */
export type ProviderVm = { ref: ProviderRef; name: string; status: string; size: Partial<Pick<Size, "cpuCores" | "memoryMb" | "diskGb">> };

/** What the admin console shows of a provider: inventory tables and its templates. */
export type Discovery = {
  inventory: { title: string; columns: string[]; rows: string[][] }[];
  templates: { ref: ProviderRef; name: string; where: string; size: Partial<Pick<Size, "cpuCores" | "memoryMb" | "diskGb">> }[];
};

/** A place for a VM; `unavailable`: why a VM of the asked-for template cannot be made there, in the user's words. */
export type Placement = { name: string; online: boolean; unavailable?: string };

/** A client of one connection: built once per connection (lib/providers/registry.ts). */
export interface ProviderClient {
  testConnection(): Promise<{ version: string }>;
  discover(): Promise<Discovery>;
  /**
   * Where VMs may be placed now (hosts, regions…), for the wizard; with a template, each
   * placement where a VM of that template cannot be made says why (`unavailable`).
   */
  placements(template?: ProviderRef): Promise<Placement[]>;
  /**
   * The smallest size a VM of this template can have, as the provider reports the template now
   * (e.g. its boot disk: disks never shrink), for the wizard's minimums and defaults; optional.
   */
  templateFloor?(template: ProviderRef): Promise<Partial<Pick<Size, "cpuCores" | "memoryMb" | "diskGb">>>;
  /** The placement an object lives in (e.g. a template's host), or null when the kind has no such notion. */
  homeOf(ref: ProviderRef): string | null;
  /** Reads the provider's real facts before a request is accepted; also resolves option defaults. */
  precheck(request: CreateRequest): Promise<Precheck>;
  /** Accept-time work (e.g. handing out an id), skipping ids the portal already uses (`taken`). */
  accept(request: CreateRequest, taken: (refId: string) => Promise<boolean>): Promise<Accepted>;
  createSteps(request: CreateRequest, accepted: ProviderRef | null): ProviderStep[];
  /** The VM the create steps made so far (from their facts), or null when nothing exists yet. */
  madeRef(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): ProviderRef | null;
  createResult(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): CreateResult;
  /** Removes what a failed create made (a VM that does not exist is fine). */
  cleanupSteps(ref: ProviderRef): ProviderStep[];
  /** The steps of an action; each checks the VM's state first, so a retried job never repeats what happened. */
  actionSteps(action: VmAction, ref: ProviderRef, params?: VmActionParams): ProviderStep[];
  actionOutcome(action: VmAction, facts: Readonly<Record<string, unknown>>): ActionOutcome;
  /** Words for log lines naming where the VM is, in the kind's own vocabulary. */
  describe(ref: ProviderRef): string;
  status(ref: ProviderRef): Promise<VmStatus>;
  /** The VM's addresses as the provider reports them now ([] when it cannot tell yet); optional. */
  addresses?(ref: ProviderRef): Promise<string[]>;
  /** Every VM (not templates) the provider has. */
  listVms(): Promise<ProviderVm[]>;
  /** The GPU offers of a template now (kinds whose capabilities say `gpus.offered`); optional. */
  gpuOffers?(template: ProviderTemplate): Promise<GpuOffer[]>;
  /**
   * The provider's own price of a request before commit, when it bills (e.g. Nova's
   * reservation quote); decimal strings. Optional: otherwise the portal's price table applies.
   */
  quote?(request: CreateRequest): Promise<Record<string, string | null>>; // keys: QUOTE_KEYS
  /**
   * Stops one of the provider's own running jobs (a step's `recordProviderTask` id) when a task is
   * cancelled; optional (kinds without it let the job end on its own). Resolves once the provider
   * accepted the request (the step then fails as the job ends); throws a ProviderError.
   */
  cancelProviderTask?(providerTaskId: string): Promise<void>;
  /** Frees the connection's sockets (the client was replaced or the process stops). */
  close(): void;
}

/** A kind that Hangar can drive. */
export type ProviderModule = ProviderMetadata & {
  available: true;
  /** The kind's template settings (stored in Template.settings). */
  templateSettings: z.ZodType<Record<string, unknown>>;
  /** The kind's connection settings (stored in ProviderConnection.settings), strict. */
  connectionSettings: z.ZodType<Record<string, unknown>>;
  /**
   * A template's kind-specific fields in the configuration file (e.g. where it lives and its
   * settings), strict: its reference and settings, or issues at the fields' paths.
   */
  templateFields: z.ZodType<ProviderTemplate>;
  /** The shape of this kind's references (checks a reference that came back from a form). */
  refSchema: z.ZodType<ProviderRef>;
  /** The kind's create options (from the API edge or the wizard). */
  createOptions: z.ZodType<Record<string, unknown>>;
  connect(config: ProviderConnectionConfig): ProviderClient;
};

/** A kind announced (labels, hints) but not implemented yet: it cannot be enabled. */
export type PlannedProvider = ProviderMetadata & { available: false };
