import { randomUUID } from "node:crypto";
import { env } from "../../env";
import { GPU_TYPE_LABELS } from "../../schemas/catalog";
import { gpuTotal } from "../../schemas/size";
import {
  ProviderError,
  type Accepted,
  type ActionOutcome,
  type CreateRequest,
  type CreateResult,
  type Discovery,
  type GpuOffer,
  type Placement,
  type Precheck,
  type ProviderClient,
  type ProviderConnectionConfig,
  type ProviderRef,
  type ProviderStep,
  type ProviderTemplate,
  type ProviderVm,
  type StepContext,
  type VmAction,
  type VmActionParams,
  type VmStatus,
} from "../types";
import { VergeClient, type VergeAuth } from "./client";
import {
  BOOT_DRIVE_NAME,
  deleteVm,
  deleteVmByName,
  ensureBootDrive,
  ensureGpus,
  ensureNics,
  ensureVm,
  growDrive,
  powerOn,
  powerState,
  stopVm,
  waitForAddresses,
  waitForPower,
  type VergeCreatePlan,
  type VmKeys,
} from "./flow";
import {
  resolvedOptions,
  vergeosConnectionSettings,
  vergeosCreateOptions,
  vergeosTemplateSettings,
  vergePendingRef,
  vergeRefOf,
  vergeTemplateRef,
  vergeVmRef,
  vmRefOf,
  type ResolvedOptions,
  type VergeConnectionSettings,
  type VergeTemplateSettings,
} from "./module-schemas";
import { MACHINE_STATUS_FIELDS } from "./protocol-guesses";
import {
  clusterKey,
  fileKey,
  machineKey,
  resourceGroupUuid,
  tierNumber,
  vmKey,
  vnetKey,
  type ResourceGroupUuid,
  type VergeCluster,
  type VergeMediaSource,
  type VergeResourceGroup,
  type VergeVnet,
} from "./types";

const GiB = 1024 ** 3;
const gb = (bytes: number | undefined) => (bytes === undefined ? "—" : `${Math.round(bytes / GiB)} GB`);

/** How long the precheck's view of the system (clusters, vnets, tiers, media sources) is reused, ms. */
export const PRECHECK_CACHE_MS = 15_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 180;
/** The notice of a create whose guest reported no address in time. */
export const NO_IP_NOTICE = "no IP yet: VergeOS did not report one (guest agent or NIC) in time";
/** Image types a template's boot drive can be made from (an ISO is installation media, not a disk). */
const DISK_IMAGE_TYPES = new Set(["qcow2", "qcow", "raw", "vmdk", "vhd", "vhdx", "vdi", "img"]);

export type VergeTiming = {
  /** Interval of power-state and address polls, ms. */
  pollMs: number;
  /** How long a power change may take, ms. */
  powerTimeoutMs: number;
  /** How long the create waits for the guest's address before finishing without one, ms. */
  addressTimeoutMs: number;
};

/**
 * The credentials of a VergeOS connection (lib/config/apply.ts providerCredentials): an API key
 * (Bearer), or a user name and password, sent as HTTP Basic or exchanged for a session token
 * (`passwordAuth: "token"`). Throws ProviderError `auth` when neither is there.
 */
export function vergeAuth(credentials: Record<string, string>, settings: VergeConnectionSettings): VergeAuth {
  if (credentials.apiKey) return { type: "apiKey", apiKey: credentials.apiKey };
  if (credentials.username && credentials.password) {
    return settings.passwordAuth === "token" ? { type: "token", username: credentials.username, password: credentials.password } : { type: "basic", username: credentials.username, password: credentials.password };
  }
  throw new ProviderError("auth", "This VergeOS connection has no usable credentials (an API key, or username + password)");
}

/** What the create steps work with: the checked request with every default resolved. */
type CreateSpec = {
  plan: VergeCreatePlan;
  options: ResolvedOptions;
  diskGb: number;
  gpuType: string | null;
  gpuCount: number;
};

type SystemFacts = { clusters: VergeCluster[]; vnets: VergeVnet[]; media: VergeMediaSource[] };

/**
 * VergeOS (API v4) behind the common provider interface. The create flow (lib/providers/vergeos/flow.ts):
 * the VM (`POST /vms` with cloud-init) → its VM key and machine key → the boot drive from the
 * template's media source (bytes, preferred tier) → the NIC on the template's vnet → the GPU
 * devices (resource groups of the chosen type) → read back → power on (VM key) → poll the
 * machine's status (machine key) → the address. Each step looks for what it already made first.
 */
export class VergeProvider implements ProviderClient {
  readonly kind = "vergeos" as const;
  readonly client: VergeClient;
  private readonly settings: VergeConnectionSettings;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  /** Cluster key → name, as last listed (for `homeOf`, which cannot call VergeOS). */
  private clusterNames = new Map<string, string>();

  constructor(
    private readonly config: ProviderConnectionConfig,
    private readonly timing: VergeTiming = { pollMs: 500, powerTimeoutMs: 150_000, addressTimeoutMs: env().HANGAR_AGENT_TIMEOUT_SECONDS * 1000 },
  ) {
    const { simulated: _simulated, ...own } = config.settings;
    this.settings = vergeosConnectionSettings.parse(own);
    this.client = new VergeClient({
      baseUrl: config.baseUrl,
      auth: vergeAuth(config.credentials, this.settings),
      tls: config.tls,
      timeoutMs: config.timeouts?.requestMs,
      callTimeoutMs: config.timeouts?.callMs,
    });
  }

  close(): void {
    void this.client.close();
  }

  /** VergeOS has no version call in API v4's documented tables: a cheap list proves URL, TLS and login. */
  async testConnection() {
    const clusters = await this.client.clusters();
    this.remember(clusters);
    return { version: `VergeOS API v4 (${clusters.length} cluster${clusters.length === 1 ? "" : "s"})` };
  }

  private remember(clusters: VergeCluster[]) {
    this.clusterNames = new Map(clusters.map((c) => [c.key as string, c.name]));
  }

  /** A value loaded at most once per PRECHECK_CACHE_MS (a failed load is not kept). */
  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < PRECHECK_CACHE_MS) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: Date.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  /** Clusters, vnets and media sources (cached briefly; free space is read fresh each time). */
  private system(): Promise<SystemFacts> {
    return this.cached("system", async () => {
      const [clusters, vnets, media] = await Promise.all([this.client.clusters(), this.client.vnets(), this.client.mediaSources()]);
      this.remember(clusters);
      return { clusters, vnets, media };
    });
  }

  /** The template's cluster name (from the last cluster list), or null. */
  homeOf(ref: ProviderRef): string | null {
    const of = vergeRefOf(ref);
    if (of.type !== "template" || !of.cluster) return null;
    return this.clusterNames.get(of.cluster) ?? null;
  }

  /** The clusters, by name; with a template whose media source is gone, each says so. */
  async placements(template?: ProviderRef): Promise<Placement[]> {
    const facts = await this.system();
    const of = template ? vergeRefOf(template) : null;
    const missing = of?.type === "template" && !facts.media.some((m) => m.key === of.mediaSource);
    return facts.clusters.map((c) => ({ name: c.name, online: true, ...(missing ? { unavailable: "the template's media source no longer exists on VergeOS" } : {}) }));
  }

  async discover(): Promise<Discovery> {
    const [facts, tiers, groups, vgpus] = await Promise.all([this.system(), this.client.storageTiers(), this.client.gpuGroupUsage(), this.client.vgpuDevices()]);
    const mapped = new Map<string, string>();
    for (const [type, uuids] of Object.entries(this.settings.gpuGroups ?? {})) for (const u of uuids) mapped.set(u.toLowerCase(), type);
    const images = facts.media.filter((m) => !m.type || DISK_IMAGE_TYPES.has(m.type.toLowerCase()));
    return {
      inventory: [
        {
          title: "Clusters",
          columns: ["Cluster", "Key", "Max cores per VM", "Max RAM per VM"],
          rows: facts.clusters.map((c) => [c.name, c.key, c.maxCoresPerVm === undefined ? "—" : String(c.maxCoresPerVm), c.maxRamPerVmMb === undefined ? "—" : `${c.maxRamPerVmMb} MB`]),
        },
        { title: "Networks (vnets)", columns: ["Vnet", "Key", "Type", "Network"], rows: facts.vnets.map((v) => [v.name, v.key, v.type ?? "—", v.network ?? "—"]) },
        {
          title: "Storage tiers",
          columns: ["Tier", "Description", "Free", "Capacity"],
          rows: tiers.map((t) => [t.tier, t.description ?? "—", gb(t.freeBytes), gb(t.capacityBytes)]),
        },
        { title: "Media sources", columns: ["Key", "Name", "Type", "Size"], rows: facts.media.map((m) => [m.key, m.name, m.type ?? "—", gb(m.fileSizeBytes)]) },
        {
          title: "GPU resource groups",
          columns: ["Name", "UUID", "Class", "Devices", "Free", "Portal GPU type"],
          rows: groups.map((g) => [
            g.name,
            g.uuid,
            g.class ?? "—",
            g.resourceCount === undefined ? "—" : String(g.resourceCount),
            g.free === undefined ? "—" : String(g.free),
            mapped.get(g.uuid.toLowerCase()) ?? "(not mapped)",
          ]),
        },
        { title: "vGPU devices", columns: ["Node", "Name", "Slot", "Max instances"], rows: vgpus.map((d) => [d.node ?? "—", d.name, d.slot ?? "—", d.maxInstances === undefined ? "—" : String(d.maxInstances)]) },
      ],
      templates: images.flatMap((m) =>
        facts.clusters.map((c) => ({
          ref: vergeTemplateRef(m.key, c.key),
          name: `${m.name.replace(/\.(qcow2?|raw|vmdk|vhdx?|vdi|img)$/i, "")}${facts.clusters.length > 1 ? ` (${c.name})` : ""}`,
          where: `media source ${m.key} (${m.type ?? "image"}) on cluster ${c.name}`,
          size: m.fileSizeBytes ? { diskGb: Math.max(1, Math.ceil(m.fileSizeBytes / GiB)) } : {},
        })),
      ),
    };
  }

  /** GPU resource groups with free counts, keyed by lower-case UUID. */
  private async groupUsage(): Promise<Map<string, VergeResourceGroup & { attached: number; free: number | undefined }>> {
    return new Map((await this.client.gpuGroupUsage()).map((g) => [g.uuid.toLowerCase(), g]));
  }

  /**
   * The GPU offers of this connection (every template shares them): one per portal GPU type the
   * connection's `gpuGroups` maps, with the devices of its enabled resource groups (`total`) and
   * how many are not attached to any machine (`available`). On demand only.
   */
  async gpuOffers(_template?: ProviderTemplate): Promise<GpuOffer[]> {
    const mapping = Object.entries(this.settings.gpuGroups ?? {});
    if (mapping.length === 0) return [];
    const [usage, facts] = await Promise.all([this.groupUsage(), this.system()]);
    return mapping.map(([type, uuids]) => {
      const groups = uuids.flatMap((u) => {
        const g = usage.get(u.toLowerCase());
        return g && g.enabled ? [g] : [];
      });
      const total = groups.reduce((n, g) => n + (g.resourceCount ?? 0), 0);
      const available = groups.reduce((n, g) => n + (g.free ?? 0), 0);
      const label = (GPU_TYPE_LABELS as Record<string, string>)[type] ?? groups[0]?.name ?? type;
      return {
        gpuType: type,
        label,
        counts: Array.from({ length: Math.min(Math.max(total, 1), 8) }, (_, i) => i + 1),
        total,
        available,
        placements: available > 0 ? facts.clusters.map((c) => c.name) : [],
        rentalTypes: ["on_demand"],
      } satisfies GpuOffer;
    });
  }

  private templateOf(request: CreateRequest): { mediaSource: string; cluster?: string; settings: VergeTemplateSettings } {
    const of = vergeRefOf(request.template.ref);
    if (of.type !== "template") throw new ProviderError("parameter", `${request.template.name ?? "The template"} is not a VergeOS template`);
    return { mediaSource: of.mediaSource, cluster: of.cluster, settings: vergeosTemplateSettings.parse(request.template.settings ?? {}) };
  }

  /** The requested GPU type and count (`size.gpus` holds at most one type). */
  private gpusOf(request: CreateRequest): { type: string | null; count: number } {
    const first = Object.entries(request.size.gpus).find(([, n]) => (n ?? 0) > 0);
    return first ? { type: first[0], count: gpuTotal(request.size) } : { type: null, count: 0 };
  }

  /**
   * Reads VergeOS's facts (cached briefly) and checks what it would refuse: the cluster named by
   * `target` (name or key), the VM name not taken, cores and RAM within its per-VM maximum, the template's media source,
   * the vnet, the storage tier and its free space for the boot drive (bytes), and free devices of
   * the requested GPU type. Resolves the options: cluster key, vnet, tier and the VM's owner tag.
   */
  async precheck(request: CreateRequest): Promise<Precheck> {
    const options = vergeosCreateOptions.parse(request.options);
    const template = this.templateOf(request);
    const templateName = request.template.name ?? `media source ${template.mediaSource}`;
    const [facts, tiers, sameName] = await Promise.all([this.system(), this.client.storageTiers(), this.client.findVmByName(request.name)]);
    const problems: string[] = [];
    // VM names are unique on VergeOS (409): a VM of this name that is not this request's own is someone else's.
    const previous = resolvedOptions.safeParse(request.options);
    if (sameName && !(previous.success && (sameName.description ?? "").includes(previous.data.ownerTag))) problems.push(`A VM named ${request.name} already exists on ${this.config.name}: choose another name`);

    const cluster = facts.clusters.find((c) => c.key === options.target) ?? facts.clusters.find((c) => c.name === options.target) ?? facts.clusters.find((c) => c.name.toLowerCase() === options.target.toLowerCase());
    if (!cluster) problems.push(`VergeOS cluster "${options.target}" does not exist: choose one of ${facts.clusters.map((c) => c.name).join(", ") || "(none)"}`);
    if (cluster?.maxCoresPerVm !== undefined && request.size.cpuCores > cluster.maxCoresPerVm) problems.push(`cpuCores must be at most ${cluster.maxCoresPerVm} on cluster ${cluster.name}`);
    if (cluster?.maxRamPerVmMb !== undefined && request.size.memoryMb > cluster.maxRamPerVmMb) problems.push(`memorySize must be at most ${cluster.maxRamPerVmMb} MB on cluster ${cluster.name}`);
    if (request.size.memoryMb < 256) problems.push("memorySize must be at least 256 MB on VergeOS");

    const media = facts.media.find((m) => m.key === template.mediaSource);
    if (!media) problems.push(`${templateName}'s media source (${template.mediaSource}) no longer exists on VergeOS: ask an administrator`);
    const diskBytes = request.size.diskGb * GiB;
    if (media?.fileSizeBytes !== undefined && media.fileSizeBytes > diskBytes) problems.push(`diskSize must be at least ${Math.ceil(media.fileSizeBytes / GiB)} GB: ${templateName}'s image is that large`);

    const vnetWanted = template.settings.vnet ?? this.settings.defaultVnet;
    const vnet = vnetWanted ? facts.vnets.find((v) => v.key === vnetWanted) : (facts.vnets.find((v) => v.type === "external") ?? (facts.vnets.length === 1 ? facts.vnets[0] : undefined));
    if (!vnet) problems.push(vnetWanted ? `${templateName}'s network (vnet ${vnetWanted}) does not exist on VergeOS: ask an administrator` : `${templateName} names no network (vnet) and VergeOS has no external one: ask an administrator`);

    const tierWanted = options.storage ?? template.settings.preferredTier ?? this.settings.defaultTier;
    const tierNames = tiers.map((t) => `${t.tier} (${gb(t.freeBytes)} free)`).join(", ");
    if (tierWanted) {
      const tier = tiers.find((t) => t.tier === tierWanted);
      if (!tier) problems.push(`Storage tier ${tierWanted} does not exist on VergeOS: choose one of ${tierNames || "(none)"}`);
      else if (tier.freeBytes < diskBytes) problems.push(`Storage tier ${tierWanted} has ${gb(tier.freeBytes)} free, less than the ${request.size.diskGb} GB disk: choose a smaller disk${tiers.length > 1 ? ` or another tier (${tierNames})` : ""}`);
    } else if (tiers.length > 0 && !tiers.some((t) => t.freeBytes >= diskBytes)) {
      problems.push(`No storage tier has ${request.size.diskGb} GB free (${tierNames}): choose a smaller disk`);
    }

    const gpus = this.gpusOf(request);
    if (gpus.type) {
      const uuids = this.settings.gpuGroups?.[gpus.type];
      if (!uuids) {
        problems.push(`GPU type ${gpus.type} is not offered by ${this.config.name}${this.settings.gpuGroups ? `: choose one of ${Object.keys(this.settings.gpuGroups).join(", ")}` : ""}`);
      } else {
        const usage = await this.groupUsage();
        const free = uuids.reduce((n, u) => n + (usage.get(u.toLowerCase())?.enabled ? (usage.get(u.toLowerCase())?.free ?? 0) : 0), 0);
        if (free < gpus.count) problems.push(`Only ${free} GPU${free === 1 ? "" : "s"} of type ${gpus.type} ${free === 1 ? "is" : "are"} free on ${this.config.name} now (${gpus.count} requested)`);
      }
    }

    return {
      problems,
      options: {
        ...options,
        cluster: cluster?.key ?? options.target,
        ...(vnet ? { vnet: vnet.key } : {}),
        ...(tierWanted ? { tier: tierWanted } : {}),
        // Marks the VM as this request's (kept in its description): a retried step finds it again by name.
        ownerTag: previous.success ? previous.data.ownerTag : `hangar-request:${randomUUID()}`,
      },
    };
  }

  /** Nothing to hand out before the VM exists (VergeOS gives its keys on create). */
  async accept(request: CreateRequest): Promise<Accepted> {
    const options = vergeosCreateOptions.parse(request.options);
    return { ref: null, step: null, describe: `on VergeOS cluster ${options.target}` };
  }

  private specOf(request: CreateRequest): CreateSpec {
    const parsed = resolvedOptions.safeParse(request.options);
    if (!parsed.success) throw new ProviderError("server", "The create request was not checked by the VergeOS precheck (no cluster or owner tag)");
    const options = parsed.data;
    const template = this.templateOf(request);
    const vnet = typeof request.options.vnet === "string" ? request.options.vnet : template.settings.vnet;
    const tier = typeof request.options.tier === "string" ? request.options.tier : undefined;
    const gpus = this.gpusOf(request);
    const ci = request.cloudInit;
    return {
      options,
      diskGb: request.size.diskGb,
      gpuType: gpus.type,
      gpuCount: gpus.count,
      plan: {
        name: request.name,
        ownerTag: options.ownerTag,
        description: request.description,
        cluster: clusterKey(options.cluster),
        cpuCores: request.size.cpuCores,
        ramMb: request.size.memoryMb,
        diskBytes: request.size.diskGb * GiB,
        mediaSource: fileKey(template.mediaSource),
        driveMedia: template.settings.driveMedia,
        driveInterface: template.settings.driveInterface,
        preferredTier: tier ? tierNumber(tier) : undefined,
        vnets: vnet ? [vnetKey(vnet)] : [],
        nicInterface: template.settings.nicInterface,
        gpuGroups: [],
        guestAgent: true,
        cloudInit: ci.user || ci.password || ci.sshKeys?.length || ci.userData ? { user: ci.user, password: ci.password, sshKeys: ci.sshKeys, userData: ci.userData } : undefined,
      },
    };
  }

  private wait() {
    return { pollMs: this.timing.pollMs, timeoutMs: this.timing.powerTimeoutMs };
  }

  createSteps(request: CreateRequest, _accepted?: ProviderRef | null): ProviderStep[] {
    const spec = this.specOf(request);
    const { plan } = spec;
    const keysOf = (ctx: StepContext): VmKeys => {
      if (typeof ctx.facts.vm !== "string" || typeof ctx.facts.machine !== "string") throw new ProviderError("server", "The VM's keys were not remembered by the create step");
      return { vm: vmKey(ctx.facts.vm), machine: machineKey(ctx.facts.machine) };
    };
    const steps: ProviderStep[] = [
      {
        key: "create_vm",
        name: "Create the VM",
        run: async (ctx) => {
          // Remembered before asking: a worker dying before it remembers the keys still cleans up by name.
          if (ctx.facts.vmRequested !== true) await ctx.remember({ vmRequested: true });
          const keys = await ensureVm(this.client, plan);
          await ctx.remember({ vm: keys.vm, machine: keys.machine });
          await ctx.log(`VM ${plan.name} on cluster ${spec.options.target}: VM key ${keys.vm}, machine key ${keys.machine} (${plan.cpuCores} cores, ${plan.ramMb} MB RAM${plan.cloudInit?.user ? `, cloud-init user ${plan.cloudInit.user}` : ""})`);
        },
      },
      {
        key: "boot_drive",
        name: "Add the boot drive",
        run: async (ctx) => {
          const { machine } = keysOf(ctx);
          const drive = await ensureBootDrive(this.client, machine, plan);
          await ctx.log(
            `Boot drive ${drive}: ${plan.driveMedia ?? "import"} of media source ${plan.mediaSource}, ${plan.driveInterface ?? "virtio-scsi"}, ${plan.diskBytes} bytes (${spec.diskGb} GB)${plan.preferredTier ? `, tier ${plan.preferredTier}` : ""}`,
          );
        },
      },
      {
        key: "nics",
        name: "Add the network interface",
        run: async (ctx) => {
          const { machine } = keysOf(ctx);
          const nics = await ensureNics(this.client, machine, plan);
          await ctx.log(nics.length ? `NIC ${nics.join(", ")} on vnet ${plan.vnets.join(", ")}` : "No network configured for this template");
        },
      },
    ];
    if (spec.gpuType && spec.gpuCount > 0) {
      const type = spec.gpuType;
      const count = spec.gpuCount;
      steps.push({
        key: "gpus",
        name: `Attach ${count} GPU${count === 1 ? "" : "s"}`,
        run: async (ctx) => {
          const { machine } = keysOf(ctx);
          const chosen = Array.isArray(ctx.facts.gpuGroups) ? (ctx.facts.gpuGroups as string[]).map((g) => resourceGroupUuid(g)) : await this.chooseGpuGroups(machine, type, count);
          await ctx.remember({ gpuGroups: chosen });
          const devices = await ensureGpus(this.client, machine, { gpuGroups: chosen });
          await ctx.gpusAttached?.(); // VergeOS's free count leaves them out now
          await ctx.log(`Attached ${devices.length} ${type} GPU device${devices.length === 1 ? "" : "s"} (resource group ${[...new Set(chosen)].join(", ")})`);
        },
      });
    }
    steps.push(
      {
        key: "verify",
        name: "Check what VergeOS reports",
        run: async (ctx) => {
          const keys = keysOf(ctx);
          const vm = await this.client.getVm(keys.vm);
          const drives = await this.client.drives(keys.machine);
          const boot = drives.find((d) => d.name === BOOT_DRIVE_NAME) ?? drives[0];
          const diskGb = boot?.sizeBytes === undefined ? null : Math.round(boot.sizeBytes / GiB);
          await ctx.remember({ built: { cpuCores: vm.cpuCores ?? null, memoryMb: vm.ramMb ?? null, diskGb } });
          const diffs = [
            vm.cpuCores !== undefined && vm.cpuCores !== plan.cpuCores && `${vm.cpuCores} cores instead of ${plan.cpuCores}`,
            vm.ramMb !== undefined && vm.ramMb !== plan.ramMb && `${vm.ramMb} MB RAM instead of ${plan.ramMb}`,
            boot?.sizeBytes !== undefined && boot.sizeBytes < plan.diskBytes && `a ${boot.sizeBytes}-byte boot drive instead of ${plan.diskBytes}`,
            !boot && "no boot drive",
          ].filter((d): d is string => typeof d === "string");
          if (diffs.length) throw new ProviderError("server", `VergeOS reports VM ${keys.vm} with ${diffs.join(", ")}`);
          await ctx.log(`VergeOS reports ${vm.cpuCores ?? "?"} cores, ${vm.ramMb ?? "?"} MB RAM and a ${boot?.sizeBytes ?? "?"}-byte (${diskGb ?? "?"} GB) boot drive`);
        },
      },
      {
        key: "power_on",
        name: "Start the VM",
        run: async (ctx) => {
          const keys = keysOf(ctx);
          await powerOn(this.client, keys, this.wait());
          await ctx.log(`VM ${keys.vm} is running`);
        },
      },
      {
        key: "address",
        name: "Wait for the IP address",
        run: async (ctx) => {
          const { machine } = keysOf(ctx);
          const addresses = await waitForAddresses(this.client, machine, { pollMs: this.timing.pollMs, timeoutMs: this.timing.addressTimeoutMs });
          if (addresses.length) {
            await ctx.remember({ addresses, ipPending: null });
            await ctx.log(`VergeOS reports ${addresses.join(", ")}`);
            return;
          }
          // Built and running: a silent guest is a warning, never a reason to destroy the VM.
          await ctx.remember({ addresses: [], ipPending: true });
          await ctx.log(`${NO_IP_NOTICE} (${Math.round(this.timing.addressTimeoutMs / 1000)} s); the VM is kept`);
        },
      },
    );
    return steps;
  }

  /**
   * One resource group UUID per GPU, from the groups the connection maps to `type`, taking free
   * devices (not attached to any machine), fullest-free first; devices this machine already has
   * (an earlier attempt) count. ProviderError `capacity` when too few are free.
   */
  private async chooseGpuGroups(machine: VmKeys["machine"], type: string, count: number): Promise<ResourceGroupUuid[]> {
    const uuids = this.settings.gpuGroups?.[type];
    if (!uuids?.length) throw new ProviderError("parameter", `GPU type ${type} is not offered by ${this.config.name}`);
    const [usage, mine] = await Promise.all([this.groupUsage(), this.client.devices(machine)]);
    const chosen: ResourceGroupUuid[] = [];
    const free = new Map<string, number>();
    for (const u of uuids) {
      const g = usage.get(u.toLowerCase());
      if (!g || !g.enabled) continue;
      const held = mine.filter((d) => VergeClient.deviceInGroup(d, g)).length;
      for (let i = 0; i < held && chosen.length < count; i++) chosen.push(resourceGroupUuid(g.uuid));
      free.set(g.uuid, g.free ?? 0);
    }
    while (chosen.length < count) {
      const best = [...free.entries()].sort((a, b) => b[1] - a[1])[0];
      if (!best || best[1] <= 0) {
        const total = [...free.values()].reduce((n, f) => n + f, 0);
        throw new ProviderError("capacity", `No free ${type} GPU on VergeOS for ${count} device${count === 1 ? "" : "s"} (${total + chosen.length} free)`);
      }
      chosen.push(resourceGroupUuid(best[0]));
      free.set(best[0], best[1] - 1);
    }
    return chosen;
  }

  madeRef(request: CreateRequest, _accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): ProviderRef | null {
    if (typeof facts.vm === "string" && typeof facts.machine === "string") return vergeVmRef(facts.vm, facts.machine);
    if (facts.vmRequested === true) return vergePendingRef(request.name, this.specOf(request).options.ownerTag);
    return null;
  }

  createResult(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): CreateResult {
    const ref = this.madeRef(request, accepted, facts);
    if (!ref || ref.data.vm === undefined) throw new ProviderError("server", "The create finished without the VM's keys");
    const built = (facts.built ?? {}) as { cpuCores?: number | null; memoryMb?: number | null; diskGb?: number | null };
    const size = {
      ...request.size,
      ...(typeof built.cpuCores === "number" ? { cpuCores: built.cpuCores } : {}),
      ...(typeof built.memoryMb === "number" ? { memoryMb: built.memoryMb } : {}),
      ...(typeof built.diskGb === "number" ? { diskGb: built.diskGb } : {}),
    };
    const addresses = Array.isArray(facts.addresses) ? facts.addresses.filter((a): a is string => typeof a === "string") : [];
    return { ref, addresses, size, notices: facts.ipPending === true ? [NO_IP_NOTICE] : [] };
  }

  cleanupSteps(ref: ProviderRef): ProviderStep[] {
    return [
      {
        key: "remove_half_made",
        name: "Remove the half-made VM",
        run: async (ctx) => {
          const of = vergeRefOf(ref);
          if (of.type === "vm") {
            await deleteVm(this.client, { vm: vmKey(of.vm), machine: machineKey(of.machine) }, this.wait());
            await ctx.log(`VM ${of.vm} powered off and deleted with its drives`);
          } else if (of.type === "pending") {
            const removed = await deleteVmByName(this.client, of.name, of.ownerTag, this.wait());
            await ctx.log(removed ? `VM ${of.name} powered off and deleted with its drives` : `No VM ${of.name} of this request exists on VergeOS`);
          }
        },
      },
    ];
  }

  actionOutcome(action: VmAction, facts: Readonly<Record<string, unknown>>): ActionOutcome {
    const pendingRestart = action === "resize" && facts.pendingUntilRestart === true;
    return { notices: pendingRestart ? ["The new CPU cores and memory apply after the VM's next restart"] : [], pendingRestart };
  }

  describe(ref: ProviderRef): string {
    const of = vergeRefOf(ref);
    if (of.type === "vm") return `VergeOS VM ${of.vm}`;
    if (of.type === "pending") return `VergeOS VM named ${of.name}`;
    return `media source ${of.mediaSource}`;
  }

  private async exists(keys: VmKeys): Promise<boolean> {
    try {
      await this.client.getVm(keys.vm);
      return true;
    } catch (error) {
      if (error instanceof ProviderError && error.kind === "not_found") return false;
      throw error;
    }
  }

  actionSteps(action: VmAction, ref: ProviderRef, params: VmActionParams = {}): ProviderStep[] {
    const at = vmRefOf(ref);
    const keys: VmKeys = { vm: vmKey(at.vm), machine: machineKey(at.machine) };
    const label = `VM ${keys.vm}`;
    const state = async () => powerState(await this.client.machineStatus(keys.machine));
    const startStep: ProviderStep = {
      key: "start",
      name: "Start VM",
      run: async (ctx) => {
        if ((await state()) === "running") {
          await ctx.log(`${label} is already running; nothing to start`);
          return;
        }
        await powerOn(this.client, keys, this.wait());
        await ctx.log(`${label} is running`);
      },
    };
    const stopStep = (gone: boolean): ProviderStep => ({
      key: "stop",
      name: "Stop VM",
      run: async (ctx) => {
        if (gone && !(await this.exists(keys))) {
          await ctx.log(`${label} no longer exists; nothing to stop`);
          return;
        }
        if ((await state()) === "stopped") {
          await ctx.log(`${label} is already stopped`);
          return;
        }
        await stopVm(this.client, keys, this.wait());
        await ctx.log(`${label} is stopped (kill)`);
      },
    });

    switch (action) {
      case "start":
        return [startStep];
      case "stop":
        return [stopStep(false)];
      case "shutdown": {
        const timeout = params.shutdownTimeoutSeconds ?? DEFAULT_SHUTDOWN_TIMEOUT_SECONDS;
        return [
          {
            key: "shutdown",
            name: "Shut down the guest",
            run: async (ctx) => {
              if ((await state()) === "stopped") {
                await ctx.log(`${label} is already stopped`);
                return;
              }
              await ctx.log(`Asking the guest to power off (ACPI), waiting up to ${timeout} s`);
              try {
                await this.client.vmAction(keys.vm, "poweroff");
              } catch (error) {
                if (!(error instanceof ProviderError && error.kind === "conflict")) throw error;
              }
              try {
                await waitForPower(this.client, keys.machine, "stopped", { pollMs: this.timing.pollMs, timeoutMs: timeout * 1000 });
              } catch (error) {
                if (!(error instanceof ProviderError) || (error.kind !== "server" && error.kind !== "task_failed")) throw error;
                await ctx.remember({ cleanShutdownFailed: error.message });
                await ctx.log(`The guest did not power off in time: ${error.message}`);
              }
            },
          },
          {
            key: "force_stop",
            name: "Stop if still running",
            run: async (ctx) => {
              if ((await state()) === "stopped") {
                await ctx.log(ctx.facts.cleanShutdownFailed ? `${label} is stopped` : `${label} powered off cleanly; no kill needed`);
                return;
              }
              await ctx.log(`${label} is still running after the power-off request; killing it`);
              await stopVm(this.client, keys, this.wait());
              await ctx.log(`${label} is stopped`);
            },
          },
        ];
      }
      case "reboot":
        return [
          {
            key: "reboot",
            name: "Reboot VM",
            run: async (ctx) => {
              if (ctx.facts.rebootSent !== true && (await state()) === "stopped") {
                await ctx.log(`${label} is stopped; starting it instead of rebooting`);
                await powerOn(this.client, keys, this.wait());
              } else {
                if (ctx.facts.rebootSent !== true) {
                  await this.client.vmAction(keys.vm, "reset", { graceful: true });
                  await ctx.remember({ rebootSent: true });
                }
                await waitForPower(this.client, keys.machine, "running", this.wait());
              }
              await ctx.log(`${label} is running`);
            },
          },
        ];
      case "delete":
        return [
          stopStep(true),
          {
            key: "destroy",
            name: "Delete the VM and its drives",
            run: async (ctx) => {
              if (!(await this.exists(keys))) {
                await ctx.log(`${label} no longer exists; nothing to delete`);
                return;
              }
              await deleteVm(this.client, keys, this.wait());
              await ctx.log(`${label} deleted with its drives, NICs and devices`);
            },
          },
        ];
      case "resize":
        return this.resizeSteps(keys, params.resize ?? {});
    }
  }

  private resizeSteps(keys: VmKeys, want: NonNullable<VmActionParams["resize"]>): ProviderStep[] {
    const steps: ProviderStep[] = [];
    if (want.cpuCores !== undefined || want.memoryMb !== undefined) {
      steps.push({
        key: "configure",
        name: "Set CPU cores and RAM",
        run: async (ctx) => {
          const vm = await this.client.getVm(keys.vm);
          const wanted = [want.cpuCores !== undefined && `${want.cpuCores} cores`, want.memoryMb !== undefined && `${want.memoryMb} MB RAM`].filter(Boolean).join(", ");
          if ((want.cpuCores === undefined || vm.cpuCores === want.cpuCores) && (want.memoryMb === undefined || vm.ramMb === want.memoryMb)) {
            await ctx.log(`VM ${keys.vm} already has ${wanted}`);
          } else {
            await this.client.updateVm(keys.vm, { cpuCores: want.cpuCores, ramMb: want.memoryMb });
            await ctx.log(`Set ${wanted}`);
          }
          // A running VM keeps its CPUs and RAM until it is powered off and on again (no hotplug assumed).
          if (powerState(await this.client.machineStatus(keys.machine)) !== "stopped") {
            await ctx.remember({ pendingUntilRestart: true });
            await ctx.log("The VM is running: the new CPU cores and RAM apply when it is next restarted (stop and start it)");
          }
        },
      });
    }
    if (want.diskGb !== undefined) {
      const bytes = want.diskGb * GiB;
      steps.push({
        key: "grow_disk",
        name: "Grow the boot drive",
        run: async (ctx) => {
          const drives = await this.client.drives(keys.machine);
          const boot = drives.find((d) => d.name === BOOT_DRIVE_NAME) ?? drives[0];
          if (!boot) throw new ProviderError("not_found", `VM ${keys.vm} has no drive to grow`);
          if (boot.sizeBytes !== undefined && boot.sizeBytes > bytes) throw new ProviderError("parameter", `The boot drive is already ${gb(boot.sizeBytes)}, larger than the ${want.diskGb} GB requested (drives never shrink)`);
          await growDrive(this.client, boot.key, bytes, boot.sizeBytes);
          await ctx.log(`Boot drive ${boot.key} is ${bytes} bytes (${want.diskGb} GB)`);
        },
      });
    }
    return steps;
  }

  /** Power state (machine status, by machine key), cores and RAM (the VM, by VM key). */
  async status(ref: ProviderRef): Promise<VmStatus> {
    const at = vmRefOf(ref);
    const [vm, status] = await Promise.all([this.client.getVm(vmKey(at.vm)), this.client.machineStatus(machineKey(at.machine))]);
    const power = powerState(status);
    return { state: power === "running" ? "running" : power === "stopped" ? "stopped" : "unknown", ...(status?.status && power !== "running" && power !== "stopped" ? { lock: status.status } : {}), cpus: vm.cpuCores, memoryMb: vm.ramMb };
  }

  /** The guest's addresses now (NIC `ipaddress`, else the guest agent's data); [] while none is reported. */
  async addresses(ref: ProviderRef): Promise<string[]> {
    const at = vmRefOf(ref);
    return this.client.guestAddresses(machineKey(at.machine)).catch(() => []);
  }

  /** Every VM (snapshots left out) with its power state and size (boot drive in GB). */
  async listVms(): Promise<ProviderVm[]> {
    const [vms, statuses, drives] = await Promise.all([
      this.client.listVms(),
      this.client.listAll("machine_status", { fields: MACHINE_STATUS_FIELDS }),
      this.client.listAll("machine_drives", { fields: "$key,machine,name,disksize" }),
    ]);
    const statusOf = new Map(statuses.map((s) => [String(s.machine), s]));
    return vms.flatMap((vm) => {
      if (!vm.machine) return [];
      const s = statusOf.get(vm.machine);
      const power = powerState(s ? { key: String(s.$key) as never, running: typeof s.running === "boolean" ? s.running : undefined, status: typeof s.status === "string" ? s.status : undefined } : undefined);
      const mine = drives.filter((d) => String(d.machine) === vm.machine);
      const boot = mine.find((d) => d.name === BOOT_DRIVE_NAME) ?? mine[0];
      const bytes = typeof boot?.disksize === "number" ? boot.disksize : undefined;
      return [
        {
          ref: vergeVmRef(vm.key, vm.machine),
          name: vm.name,
          status: power === "transition" ? (typeof s?.status === "string" ? s.status : "unknown") : power,
          size: { cpuCores: vm.cpuCores, memoryMb: vm.ramMb, diskGb: bytes === undefined ? undefined : Math.round(bytes / GiB) },
        },
      ];
    });
  }
}
