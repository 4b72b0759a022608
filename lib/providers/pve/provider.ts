import { env } from "../../env";
import { PveClient, type PveAuth } from "./client";
import { kindFor } from "./errors";
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
  type ProviderLogLine,
  type ProviderRef,
  type ProviderStep,
  type ProviderTemplate,
  type ProviderVm,
  type StepContext,
  type VmAction,
  type VmActionParams,
  type VmStatus,
} from "../types";
import { GPU_TYPE_LABELS } from "../../schemas/catalog";
import { gpuTotal } from "../../schemas/size";
import { chooseMappings, hostpciEntries, isQ35, readPciUsage, typeSummary, type PciUsage } from "./gpus";
import { pveConnectionSettings, pveCreateOptions, pveRef, pveTemplateSettings, refOf, DEFAULT_STORAGE, type PveConnectionSettings, type PveCreateOptions, type PveLocation } from "./module-schemas";
import { cloneProblems, placementsFor, type ClusterFacts } from "./precheck";
import { bootDisk, builtSize, diskSizeGb, memoryMbOf, vcpusOf, type PveConfig } from "./vm-config";
import { pollDelay } from "./wait";

const GiB = 1024 ** 3;

/** Credentials as stored for a PVE connection (lib/config/apply.ts providerCredentials). */
export function pveAuth(credentials: Record<string, string>): PveAuth {
  if (credentials.tokenId && credentials.secret) return { type: "token", tokenId: credentials.tokenId, secret: credentials.secret };
  if (credentials.username && credentials.password) {
    return { type: "ticket", username: credentials.username, password: credentials.password, realm: credentials.realm ?? "pam" };
  }
  throw new ProviderError("auth", "This PVE connection has no usable credentials (tokenId + secret, or username + password)");
}

export { bootDisk, diskSizeGb, memoryMbOf } from "./vm-config";

/** How long a VMID handed out at accept counts as taken in this process (its VM row exists by then), ms. */
const HANDED_OUT_MS = 10 * 60_000;

/** How many ids in a row the id allocation skips as taken by the portal before it gives up. */
const MAX_SKIPPED_VMIDS = 1000;

/** How long PVE's answer to "next free VMID" is reused while accepting creates, ms. */
const NEXT_ID_CACHE_MS = 1_000;

/** How long the precheck's view of the cluster (nodes, storages, template configurations) is reused, ms. */
export const PRECHECK_CACHE_MS = 15_000;

export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 180;

/** What the create steps work with, from a checked request and the accepted reference. */
type CreateSpec = {
  template: PveLocation;
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
  /** GPUs: a portal GPU type the connection maps to PCI resource mappings, and how many. */
  gpus: { type: string; count: number } | null;
};

/** The warning of a create whose guest agent did not answer in time. */
export const NO_IP_NOTICE = "no IP yet: the guest agent did not answer";

/** `agent: 1`, `agent: enabled=1,...`: the guest agent option is on. */
function agentEnabled(value: string | number | undefined): boolean {
  return value !== undefined && /^(?:enabled=)?1(?:,|$)/.test(String(value));
}

/** The value of a GPU's hostpci entry. */
const hostpciValue = (mapping: string) => `mapping=${mapping},pcie=1`;

/** The GPUs the create's GPU step chose (`hostpciN` → mapping id), from its facts. */
function gpuPlanOf(ctx: StepContext): { key: string; mapping: string }[] {
  const raw = ctx.facts.gpuDevices;
  return Array.isArray(raw) ? raw.filter((g): g is { key: string; mapping: string } => typeof g?.key === "string" && typeof g?.mapping === "string") : [];
}

/** What a configuration lacks of a GPU plan (each entry's mapping with pcie, and a q35 machine), in words, or null. */
function gpuConfigProblem(config: Record<string, string | number>, plan: { key: string; mapping: string }[]): string | null {
  const entries = hostpciEntries(config);
  const missing = plan.filter((g) => !entries.some((e) => e.key === g.key && e.mapping === g.mapping && e.pcie));
  const parts = [
    missing.length > 0 && `no ${missing.map((g) => `${g.key} = ${hostpciValue(g.mapping)}`).join(", ")}${missing.some((g) => config[g.key] !== undefined) ? ` (${missing.map((g) => `${g.key}: ${config[g.key] ?? "unset"}`).join(", ")})` : ""}`,
    plan.length > 0 && !isQ35(config.machine) && `machine type ${config.machine ?? "i440fx"} instead of q35`,
  ].filter((p): p is string => typeof p === "string");
  return parts.length ? parts.join(", ") : null;
}

const GiBytes = (bytes?: number) => (bytes === undefined ? "—" : `${Math.round(bytes / GiB)} GiB`);

/**
 * Proxmox VE behind the common provider interface. The create flow: full clone into the
 * requested storage on the target node → wait → cores, memory, name and cloud-init → resize
 * the disk → start → wait → the IP from the guest agent. Each step first checks what already
 * happened, so a retried job never clones twice.
 */
export class PveProvider implements ProviderClient {
  readonly kind = "pve" as const;
  readonly client: PveClient;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  /** VMIDs this process handed out lately → until when they count as taken (ms since epoch). */
  private readonly handedOut = new Map<number, number>();
  private nextIdCache: { at: number; value: Promise<number> } | undefined;
  private readonly settings: PveConnectionSettings;
  private offersUsage: Promise<PciUsage> | undefined;

  constructor(
    private readonly config: ProviderConnectionConfig,
    private readonly timing = { agentTimeoutMs: env().HANGAR_AGENT_TIMEOUT_SECONDS * 1000, agentPollMs: 2_000, taskPollMs: 1_000 },
  ) {
    const { simulated: _simulated, ...own } = config.settings;
    this.settings = pveConnectionSettings.parse(own);
    this.client = new PveClient({
      baseUrl: config.baseUrl,
      auth: pveAuth(config.credentials),
      tls: config.tls,
      timeoutMs: config.timeouts?.requestMs,
      callTimeoutMs: config.timeouts?.callMs,
    });
  }

  close(): void {
    this.client.close();
  }

  async testConnection() {
    const v = await this.client.version();
    return { version: v.version };
  }

  homeOf(ref: ProviderRef): string | null {
    return refOf(ref).node;
  }

  /** The nodes; with a template, each node where its clone would fail says why (precheck.ts placementsFor). */
  async placements(template?: ProviderRef): Promise<Placement[]> {
    if (!template) return (await this.client.nodes()).map((n) => ({ name: n.name, online: n.online }));
    const facts = await this.clusterFacts();
    const where = await this.templatePlacements(template);
    return where.map((p) => ({ name: p.node, online: facts.nodes.find((n) => n.name === p.node)?.online ?? false, ...(p.reason ? { unavailable: p.reason } : {}) }));
  }

  async discover(): Promise<Discovery> {
    const nodes = [...(await this.client.nodes())].sort((a, b) => a.name.localeCompare(b.name));
    const storages = (await Promise.all(nodes.filter((n) => n.online).map((n) => this.client.storages(n.name))))
      .flat()
      .sort((a, b) => a.node.localeCompare(b.node) || a.storage.localeCompare(b.storage));
    const templates = [...(await this.client.templates())].sort((a, b) => a.vmid - b.vmid);
    const mappedTo = new Map<string, string>();
    for (const [type, ids] of Object.entries(this.settings.gpuMappings ?? {})) for (const id of ids) mappedTo.set(id, type);
    const allMappings = await this.client.pciMappings().catch((error: unknown) => {
      // PVE 7 has no resource mappings; a token without Mapping.Audit sees none: the rest of the inventory still helps.
      if (error instanceof ProviderError && (error.kind === "not_found" || error.kind === "auth" || error.kind === "parameter")) return [];
      throw error;
    });
    const usage = await readPciUsage(this.client, new Set(allMappings.map((m) => m.id)));
    const mappingRows = allMappings.flatMap((m) =>
      [...new Set(m.devices.map((d) => d.node))].sort().map((node) => {
        const devices = m.devices.filter((d) => d.node === node);
        const held = usage.running.get(m.id)?.get(node) ?? 0;
        return [
          m.id,
          m.description ?? "—",
          node,
          devices.map((d) => `${d.path}${d.id ? ` (${d.id}${d.iommugroup !== undefined ? `, IOMMU group ${d.iommugroup}` : ""})` : ""}`).join("; "),
          `${Math.max(0, devices.length - held)} of ${devices.length}`,
          mappedTo.get(m.id) ?? "(not mapped)",
        ];
      }),
    );
    for (const [id, type] of mappedTo) if (!allMappings.some((m) => m.id === id)) mappingRows.push([id, "no such mapping on the cluster", "—", "—", "—", type]);
    return {
      inventory: [
        { title: "Nodes", columns: ["Node", "State", "CPUs", "Memory"], rows: nodes.map((n) => [n.name, n.online ? "online" : "offline", n.cpus === undefined ? "—" : String(n.cpus), GiBytes(n.memoryBytes)]) },
        {
          title: "Storages",
          columns: ["Node", "Storage", "Type", "Free"],
          rows: storages.map((s) => [s.node, `${s.storage}${s.shared ? " (shared)" : ""}`, s.type ?? "—", GiBytes(s.availableBytes)]),
        },
        { title: "PCI resource mappings (GPUs)", columns: ["Mapping", "Description", "Node", "Devices", "Free", "Portal GPU type"], rows: mappingRows },
      ],
      templates: templates.map((t) => ({ ref: pveRef(t.node, t.vmid), name: t.name, where: `vmid ${t.vmid} on ${t.node}`, size: { cpuCores: t.cpuCores, memoryMb: t.memoryMb, diskGb: t.diskGb } })),
    };
  }

  /** The mapping ids of every GPU type the connection maps. */
  private mappedIds(): Set<string> {
    return new Set(Object.values(this.settings.gpuMappings ?? {}).flat());
  }

  private gpuLabel(type: string, usage?: PciUsage): string {
    const first = this.settings.gpuMappings?.[type]?.[0];
    return (GPU_TYPE_LABELS as Record<string, string>)[type] ?? usage?.mappings.find((m) => m.id === first)?.description ?? type;
  }

  /**
   * The GPU offers of this connection (every template shares them): one per portal GPU type that
   * `gpuMappings` maps, with the devices of its PCI mappings (`total`), those no running VM holds
   * (`available`), and the nodes that have one free. A VM's GPUs are all on its node: the counts
   * go up to the most devices of the type on one node (at most 8). On demand only. No mappings: [].
   */
  async gpuOffers(_template?: ProviderTemplate): Promise<GpuOffer[]> {
    const mapping = Object.entries(this.settings.gpuMappings ?? {});
    if (mapping.length === 0) return [];
    // Calls at the same time (the wizard asks once per template) share one read of PVE; none is reused after it ends.
    const usage = await (this.offersUsage ??= readPciUsage(this.client, this.mappedIds()).finally(() => (this.offersUsage = undefined)));
    return mapping.map(([type, ids]) => {
      const { total, perNode } = typeSummary(usage, ids);
      const perNodeTotals = [...perNode.values()].map((n) => n.total);
      const most = Math.min(Math.max(1, ...perNodeTotals), 8);
      return {
        gpuType: type,
        label: this.gpuLabel(type, usage),
        counts: Array.from({ length: most }, (_, i) => i + 1),
        total,
        available: [...perNode.values()].reduce((n, p) => n + p.free, 0),
        placements: [...perNode.entries()].filter(([, p]) => p.free > 0).map(([node]) => node).sort(),
        rentalTypes: ["on_demand"],
      } satisfies GpuOffer;
    });
  }

  /** The requested GPU type and count (`size.gpus` holds at most one type), or null. */
  private gpusOf(request: CreateRequest): { type: string; count: number } | null {
    const first = Object.entries(request.size.gpus).find(([, n]) => (n ?? 0) > 0);
    return first ? { type: first[0], count: gpuTotal(request.size) } : null;
  }

  /** Why `gpus` cannot be had on `node` now (the type is not mapped, or too few devices there are free), or null. */
  private async gpuProblem(gpus: { type: string; count: number }, node: string): Promise<string | null> {
    const ids = this.settings.gpuMappings?.[gpus.type];
    if (!ids) {
      const types = Object.keys(this.settings.gpuMappings ?? {});
      return `GPU type ${gpus.type} is not offered by ${this.config.name}${types.length ? `: choose one of ${types.join(", ")}` : ""}`;
    }
    const usage = await readPciUsage(this.client, new Set(ids));
    const { perNode } = typeSummary(usage, ids);
    const label = this.gpuLabel(gpus.type, usage);
    const here = perNode.get(node)?.free ?? 0;
    if (here >= gpus.count) return null;
    const elsewhere = [...perNode.entries()].filter(([n, p]) => n !== node && p.free >= gpus.count).map(([n, p]) => `${n} (${p.free} free)`);
    const hint = elsewhere.length ? `: choose node ${elsewhere.join(" or ")}` : "";
    if (!perNode.has(node)) return `Node ${node} has no ${label} GPU${hint}`;
    return `Only ${here} ${label} GPU${here === 1 ? " is" : "s are"} free on ${node} now (${gpus.count} requested)${hint}`;
  }

  /** The create options with their defaults: the storage is the request's, the template's, the connection's default, then "NFS". */
  private optionsOf(request: CreateRequest): PveCreateOptions & { storage: string } {
    const options = pveCreateOptions.parse(request.options);
    const template = pveTemplateSettings.parse(request.template.settings ?? {});
    const defaultStorage = typeof this.config.settings.defaultStorage === "string" ? this.config.settings.defaultStorage : undefined;
    return { ...options, storage: options.storage ?? template.storage ?? defaultStorage ?? DEFAULT_STORAGE };
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

  /** The cluster's nodes and, for each online node, its storages (cached briefly). */
  clusterFacts(): Promise<ClusterFacts> {
    return this.cached("cluster", async () => {
      const nodes = await this.client.nodes();
      const lists = await Promise.all(nodes.filter((n) => n.online).map(async (n) => [n.name, await this.client.storages(n.name)] as const));
      return { nodes, storages: Object.fromEntries(lists) };
    });
  }

  /** A template's configuration (cached briefly). */
  templateConfig(ref: PveLocation): Promise<PveConfig> {
    return this.cached(`config/${ref.node}/${ref.vmid}`, () => this.client.vmConfig(ref.node, ref.vmid));
  }

  /**
   * Reads the template's configuration and the cluster's nodes and storages (cached for
   * PRECHECK_CACHE_MS) and applies PVE's rules for a full clone and the settings the request
   * changes (lib/providers/pve/precheck.ts), and for GPUs that the type is mapped and the target
   * node has enough free devices of it (read fresh): each problem says what would work instead.
   */
  async precheck(request: CreateRequest): Promise<Precheck> {
    const options = this.optionsOf(request);
    const template = refOf(request.template.ref);
    const facts = await this.clusterFacts();
    const templateOnline = facts.nodes.some((n) => n.name === template.node && n.online);
    const config = templateOnline ? await this.templateConfig(template) : {};
    const problems = cloneProblems(facts, {
      connection: this.config.name,
      templateName: request.template.name ?? String(config.name ?? `VM ${template.vmid}`),
      templateNode: template.node,
      templateConfig: config,
      target: options.target,
      storage: options.storage,
      cpuCores: request.size.cpuCores,
      memoryMb: request.size.memoryMb,
      diskGb: request.size.diskGb,
    });
    const gpus = this.gpusOf(request);
    if (gpus) {
      const problem = await this.gpuProblem(gpus, options.target);
      if (problem) problems.push(problem);
    }
    return { problems, options };
  }

  /**
   * The template's boot disk (from its boot order, whole GB rounded up: a clone's disk is never
   * smaller) and the memory its balloon keeps, from its configuration (cached briefly).
   */
  async templateFloor(ref: ProviderRef): Promise<{ diskGb?: number; memoryMb?: number }> {
    const config = await this.templateConfig(refOf(ref));
    const { diskGb } = builtSize(config);
    const balloon = Number(config.balloon ?? 0);
    return { ...(diskGb !== undefined ? { diskGb: Math.ceil(diskGb) } : {}), ...(balloon > 0 ? { memoryMb: balloon } : {}) };
  }

  /** For each node, the storages where a clone of the template works there, or why none does. */
  async templatePlacements(ref: ProviderRef) {
    const template = refOf(ref);
    const facts = await this.clusterFacts();
    const config = facts.nodes.some((n) => n.name === template.node && n.online) ? await this.templateConfig(template) : {};
    return placementsFor(facts, template.node, config);
  }

  async accept(request: CreateRequest, taken: (refId: string) => Promise<boolean>): Promise<Accepted> {
    const options = this.optionsOf(request);
    const base = await this.nextIdHint();
    const now = Date.now();
    for (const [id, until] of this.handedOut) if (until < now) this.handedOut.delete(id);
    // An id is marked handed out before anything is awaited, so requests accepted at once in this
    // process never get the same VMID, and none waits for another's database check. One handed
    // out stays taken for a while, before its VM row is written and before its clone reaches PVE.
    let vmid: number | undefined;
    for (let candidate = base, checked = 0; vmid === undefined; candidate++) {
      if (this.handedOut.has(candidate)) continue;
      this.handedOut.set(candidate, now + HANDED_OUT_MS);
      if (!(await taken(String(candidate)))) vmid = candidate;
      else if (++checked >= 50) throw new ProviderError("conflict", `No free VMID: the 50 ids from ${base} on not handed out by this process are all held by the portal's VMs`);
    }
    return { ref: pveRef(options.target, vmid), step: { key: "allocate_vmid", name: "Allocate VMID" }, describe: `on ${options.target}, storage ${options.storage}, VMID ${vmid}` };
  }

  /**
   * PVE's next free VMID (`GET /cluster/nextid`), asked at most once per NEXT_ID_CACHE_MS: a burst
   * of accepts costs one call. A stale answer only means ids a little lower; one that is taken on
   * PVE meanwhile is found by the clone step, which takes another.
   */
  private nextIdHint(): Promise<number> {
    const hit = this.nextIdCache;
    if (hit && Date.now() - hit.at < NEXT_ID_CACHE_MS) return hit.value;
    const value = this.client.nextId();
    this.nextIdCache = { at: Date.now(), value };
    value.catch(() => (this.nextIdCache = undefined));
    return value;
  }

  private specOf(request: CreateRequest, accepted: ProviderRef | null): CreateSpec {
    const options = this.optionsOf(request);
    const at = accepted ? refOf(accepted) : null;
    if (!at) throw new ProviderError("server", "The create request has no VMID");
    return {
      template: refOf(request.template.ref),
      targetNode: options.target,
      vmid: at.vmid,
      name: request.name,
      cpuCores: request.size.cpuCores,
      memoryMb: request.size.memoryMb,
      diskGb: request.size.diskGb,
      storage: options.storage,
      ciuser: request.cloudInit.user,
      cipassword: request.cloudInit.password,
      sshKeys: request.cloudInit.sshKeys,
      description: request.description,
      gpus: this.gpusOf(request),
    };
  }

  createSteps(request: CreateRequest, accepted: ProviderRef | null): ProviderStep[] {
    return this.provisionSteps(this.specOf(request, accepted));
  }

  madeRef(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): ProviderRef | null {
    if (facts.cloned !== true) return null;
    const spec = this.specOf(request, accepted);
    return pveRef(spec.targetNode, typeof facts.vmid === "number" ? facts.vmid : spec.vmid);
  }

  createResult(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): CreateResult {
    const spec = this.specOf(request, accepted);
    const ref = pveRef(spec.targetNode, typeof facts.vmid === "number" ? facts.vmid : spec.vmid);
    const built = (facts.built ?? {}) as { cpuCores?: number; memoryMb?: number | null; diskGb?: number | null };
    const size = {
      ...request.size,
      ...(typeof built.cpuCores === "number" ? { cpuCores: built.cpuCores } : {}),
      ...(typeof built.memoryMb === "number" ? { memoryMb: built.memoryMb } : {}),
      ...(typeof built.diskGb === "number" ? { diskGb: built.diskGb } : {}),
    };
    const notices = facts.ipPending === "agent_silent" ? [NO_IP_NOTICE] : facts.ipPending === "no_agent" ? ["no IP: the template has no QEMU guest agent configured"] : [];
    const vmid = refOf(ref).vmid;
    if (vmid !== spec.vmid) notices.unshift(`The VM has VMID ${vmid}, not ${spec.vmid} as first answered: another client took ${spec.vmid} meanwhile`);
    return { ref, addresses: typeof facts.ipAddress === "string" ? [facts.ipAddress] : [], size, notices };
  }

  cleanupSteps(ref: ProviderRef): ProviderStep[] {
    return [{ key: "remove_half_made", name: "Remove the half-made VM", run: (ctx) => this.destroyVm(refOf(ref), (lines) => ctx.log(lines)) }];
  }

  actionOutcome(action: VmAction, facts: Readonly<Record<string, unknown>>): ActionOutcome {
    const pendingRestart = action === "resize" && facts.pendingUntilRestart === true;
    const built = (action === "resize" ? facts.built ?? {} : {}) as { cpuCores?: number; memoryMb?: number | null; diskGb?: number | null };
    const size = {
      ...(typeof built.cpuCores === "number" ? { cpuCores: built.cpuCores } : {}),
      ...(typeof built.memoryMb === "number" ? { memoryMb: built.memoryMb } : {}),
      // Records hold whole GB: a fractional size (a disk made outside Hangar) keeps the record.
      ...(typeof built.diskGb === "number" && Number.isInteger(built.diskGb) ? { diskGb: built.diskGb } : {}),
    };
    return { notices: pendingRestart ? ["The new CPU cores and memory apply after the VM's next restart"] : [], pendingRestart, ...(Object.keys(size).length ? { size } : {}) };
  }

  describe(ref: ProviderRef): string {
    const { node, vmid } = refOf(ref);
    return `VMID ${vmid} on ${node}`;
  }

  /**
   * PVE's next free VMID (`/cluster/nextid`), skipping ids the portal handed out a moment ago
   * whose clone has not reached PVE yet (`taken`). Throws a `conflict` ProviderError when
   * MAX_SKIPPED_VMIDS in a row are taken (never answers a taken id).
   */
  async allocateVmId(taken: (vmid: number) => Promise<boolean>): Promise<number> {
    let candidate = await this.client.nextId();
    for (let i = 0; i < MAX_SKIPPED_VMIDS; i++) {
      if (!(await taken(candidate))) return candidate;
      candidate += 1;
    }
    throw new ProviderError("conflict", `No free VMID: the ${MAX_SKIPPED_VMIDS} ids after PVE's next free one are all taken by the portal's requests`);
  }

  /**
   * Polls a VM's current status until PVE no longer holds its `clone` lock (the clone task
   * ended). Throws a retryable ProviderError after `timeoutMs` (default 30 min).
   */
  private async waitUnlocked(node: string, vmid: number, timeoutMs = 30 * 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; (await this.client.currentStatus(node, vmid)).lock === "clone"; attempt++) {
      if (Date.now() > deadline) throw new ProviderError("locked", `VM ${vmid} is still locked by its clone`);
      await new Promise((r) => setTimeout(r, pollDelay(attempt, 50, this.timing.taskPollMs)));
    }
  }

  private wait(upid: string, ctx: StepContext, timeoutMs?: number) {
    return this.client.waitForTask(upid, { pollMs: this.timing.taskPollMs, timeoutMs, onLog: (lines: ProviderLogLine[]) => ctx.log(lines) });
  }

  /**
   * Runs one PVE task for a step, exactly once: a UPID remembered by an earlier attempt of the
   * step is waited for instead of starting the operation again (unless it failed: a retried
   * step runs it anew). `issue` may answer null (PVE had nothing to run, or answered synchronously).
   */
  private async track(ctx: StepContext, key: string, issue: () => Promise<string | null>, timeoutMs?: number): Promise<void> {
    const remembered = ctx.facts[`${key}Upid`];
    if (typeof remembered === "string") {
      await ctx.log(`Resuming: waiting for ${remembered}`);
      try {
        await this.wait(remembered, ctx, timeoutMs);
        return;
      } catch (error) {
        // A retry of a step whose PVE task failed (issue 12): that task is over and did not do
        // its work, so the step runs it again instead of failing on the old task's answer.
        if (!(error instanceof ProviderError) || error.kind !== "task_failed") throw error;
        await ctx.remember({ [`${key}Upid`]: null });
        await ctx.log(`The earlier task ${remembered} had failed; running it again`);
      }
    }
    const upid = await issue();
    if (!upid) return;
    await ctx.remember({ [`${key}Upid`]: upid });
    await ctx.recordProviderTask(upid);
    await this.wait(upid, ctx, timeoutMs);
  }

  actionSteps(action: VmAction, ref: ProviderRef, params: VmActionParams = {}): ProviderStep[] {
    const location = refOf(ref);
    const { node, vmid } = location;
    const label = `VM ${vmid} on ${node}`;
    const state = () => this.client.currentStatus(node, vmid);
    const startStep: ProviderStep = {
      key: "start",
      name: "Start VM",
      run: async (ctx) => {
        if (typeof ctx.facts.startUpid !== "string" && (await state()).state !== "stopped") {
          await ctx.log(`${label} is already running; nothing to start`);
          return;
        }
        await this.track(ctx, "start", () => this.client.start(node, vmid));
        await ctx.log(`${label} is running`);
      },
    };
    /** A hard stop; with `gone: true` a VM that no longer exists counts as stopped (delete). */
    const stopStep = (gone: boolean): ProviderStep => ({
      key: "stop",
      name: "Stop VM",
      run: async (ctx) => {
        if (gone && !(await this.client.vmExists(node, vmid))) {
          await ctx.log(`${label} no longer exists; nothing to stop`);
          return;
        }
        if (typeof ctx.facts.stopUpid !== "string" && (await state()).state === "stopped") {
          await ctx.log(`${label} is already stopped`);
          return;
        }
        await this.track(ctx, "stop", () => this.client.stop(node, vmid));
        await ctx.log(`${label} is stopped`);
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
              if (typeof ctx.facts.shutdownUpid !== "string" && (await state()).state === "stopped") {
                await ctx.log(`${label} is already stopped`);
                return;
              }
              await ctx.log(`Asking the guest to shut down (ACPI or guest agent), waiting up to ${timeout} s`);
              try {
                // Our own wait gives PVE's timeout a margin; either ending falls back to a stop.
                await this.track(ctx, "shutdown", () => this.client.shutdown(node, vmid, { timeout }), (timeout + 60) * 1000);
              } catch (error) {
                if (!(error instanceof ProviderError) || (error.kind !== "task_failed" && error.kind !== "server")) throw error;
                await ctx.remember({ cleanShutdownFailed: error.message });
                await ctx.log(`The guest did not shut down cleanly: ${error.message}`);
              }
            },
          },
          {
            key: "force_stop",
            name: "Stop if still running",
            run: async (ctx) => {
              if (typeof ctx.facts.force_stopUpid !== "string" && (await state()).state === "stopped") {
                await ctx.log(ctx.facts.cleanShutdownFailed ? `${label} is stopped` : `${label} shut down cleanly; no stop needed`);
                return;
              }
              await ctx.log(`${label} is still running after the shutdown request; stopping it (hard stop)`);
              await this.track(ctx, "force_stop", () => this.client.stop(node, vmid));
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
              if (typeof ctx.facts.rebootUpid !== "string" && (await state()).state === "stopped") {
                await ctx.log(`${label} is stopped; starting it instead of rebooting`);
                await this.track(ctx, "reboot", () => this.client.start(node, vmid));
              } else {
                await this.track(ctx, "reboot", () => this.client.reboot(node, vmid));
              }
              await ctx.log(`${label} is running (pending configuration changes are now applied)`);
            },
          },
        ];
      case "delete":
        return [
          stopStep(true),
          {
            key: "destroy",
            name: "Destroy VM and its disks",
            run: async (ctx) => {
              if (!(await this.client.vmExists(node, vmid))) {
                await ctx.log(`${label} no longer exists; nothing to destroy`);
                return;
              }
              await this.track(ctx, "destroy", () => this.client.destroy(node, vmid));
              await ctx.log(`${label} destroyed, with its disks, and purged from backup jobs, replication and HA`);
            },
          },
        ];
      case "resize":
        return this.resizeSteps(location, params.resize ?? {});
    }
  }

  private resizeSteps(ref: PveLocation, want: NonNullable<VmActionParams["resize"]>): ProviderStep[] {
    const { node, vmid } = ref;
    const steps: ProviderStep[] = [];
    if (want.cpuCores !== undefined || want.memoryMb !== undefined) {
      steps.push({
        key: "configure",
        name: "Set CPU cores and memory",
        run: async (ctx) => {
          // GET config shows pending values: what the VM will have after its next restart.
          const config = await this.client.vmConfig(node, vmid);
          const change: { cores?: number; sockets?: number; delete?: string[]; memory?: number } = {};
          if (want.cpuCores !== undefined && (vcpusOf(config) !== want.cpuCores || Number(config.sockets ?? 1) !== 1)) {
            Object.assign(change, { cores: want.cpuCores, sockets: 1 }, config.vcpus !== undefined ? { delete: ["vcpus"] } : {});
          }
          if (want.memoryMb !== undefined && memoryMbOf(config.memory) !== want.memoryMb) change.memory = want.memoryMb;
          const wanted = [want.cpuCores !== undefined && `${want.cpuCores} cores`, want.memoryMb !== undefined && `${want.memoryMb} MB memory`].filter(Boolean).join(", ");
          if (change.cores === undefined && change.memory === undefined) {
            await ctx.log(`VM ${vmid} is already configured with ${wanted}`);
          } else {
            await this.client.updateConfig(node, vmid, change);
            await ctx.log(`Set ${wanted}`);
          }
          const status = await this.client.currentStatus(node, vmid);
          if (status.state !== "stopped") {
            const live =
              (want.cpuCores === undefined || status.cpus === want.cpuCores) && (want.memoryMb === undefined || status.memoryMb === undefined || Math.round(status.memoryMb) === want.memoryMb);
            if (!live) {
              await ctx.remember({ pendingUntilRestart: true });
              await ctx.log(
                `The VM is running, so PVE keeps the new CPU cores and memory pending: it still runs with ${status.cpus ?? "?"} cores and ${status.memoryMb !== undefined ? Math.round(status.memoryMb) : "?"} MB until it is restarted. Reboot it (or stop and start it) to apply the new size.`,
              );
            }
          }
        },
      });
    }
    if (want.diskGb !== undefined) {
      const wanted = want.diskGb;
      steps.push({
        key: "grow_disk",
        name: "Grow disk",
        run: async (ctx) => {
          const config = await this.client.vmConfig(node, vmid);
          const disk = bootDisk(config);
          if (!disk) throw new ProviderError("parameter", `VM ${vmid} has no boot disk in its boot order (${config.boot ?? "none"})`);
          const current = diskSizeGb(config[disk]);
          if (typeof ctx.facts.grow_diskUpid !== "string" && current !== undefined && current >= wanted) {
            // Never record a size the VM does not have: a larger disk cannot become smaller.
            if (current > wanted) throw new ProviderError("parameter", `The boot disk ${disk} is already ${current} GB, larger than the ${wanted} GB requested (disks never shrink)`);
            await ctx.log(`Boot disk ${disk} is already ${current} GB`);
            return;
          }
          // An absolute size: running the step twice can never grow the disk twice.
          await this.track(ctx, "grow_disk", () => this.client.resize(node, vmid, disk, `${wanted}G`));
          await ctx.log(`Disk ${disk} grown${current !== undefined ? ` from ${current} GB` : ""} to ${wanted} GB`);
        },
      });
    }
    if (steps.length) {
      steps.push({
        key: "verify",
        name: "Check the configuration PVE reports",
        run: async (ctx) => {
          // GET config includes pending values: the size the VM has after its next restart.
          const built = builtSize(await this.client.vmConfig(node, vmid));
          await ctx.remember({ built: { cpuCores: built.cpuCores, memoryMb: built.memoryMb ?? null, diskGb: built.diskGb ?? null } });
          const diffs = [
            want.cpuCores !== undefined && built.cpuCores !== want.cpuCores && `${built.cpuCores} vCPUs (${built.topology}) instead of ${want.cpuCores}`,
            want.memoryMb !== undefined && built.memoryMb !== want.memoryMb && `${built.memoryMb ?? "unknown"} MB memory instead of ${want.memoryMb}`,
            want.diskGb !== undefined && built.diskGb !== want.diskGb && `a ${built.diskGb ?? "unknown"} GB boot disk (${built.bootDisk ?? "none"}) instead of ${want.diskGb} GB`,
          ].filter((d): d is string => typeof d === "string");
          if (diffs.length) throw new ProviderError("server", `PVE reports VM ${vmid} with ${diffs.join(", ")}`);
          await ctx.log(`PVE reports ${built.cpuCores} vCPUs (${built.topology}), ${built.memoryMb} MB memory and a ${built.diskGb} GB boot disk (${built.bootDisk})`);
        },
      });
    }
    return steps;
  }

  /**
   * Attaches the GPUs before the first start: one `hostpciN: mapping=<id>,pcie=1` per GPU on the
   * lowest free hostpci slots, each naming one of the type's PCI mappings with a free device on the
   * VM's node (remembered, so a retried step sets the same), and `machine: q35` (PCIe
   * passthrough needs it) when the template has another machine type. Reads the configuration
   * back and fails when PVE does not report exactly that. PVE picks the device itself at start.
   */
  private gpuStep(spec: CreateSpec, gpus: { type: string; count: number }, vmidOf: (ctx: StepContext) => number): ProviderStep {
    const node = spec.targetNode;
    return {
      key: "gpus",
      name: `Attach ${gpus.count} GPU${gpus.count === 1 ? "" : "s"}`,
      run: async (ctx) => {
        const vmid = vmidOf(ctx);
        const config = await this.client.vmConfig(node, vmid);
        let plan = Array.isArray(ctx.facts.gpuDevices) ? gpuPlanOf(ctx) : null;
        if (!plan) {
          const ids = this.settings.gpuMappings?.[gpus.type];
          if (!ids?.length) throw new ProviderError("parameter", `GPU type ${gpus.type} is not offered by ${this.config.name}`);
          const usage = await readPciUsage(this.client, new Set(ids), { configuredOn: node });
          const mappings = chooseMappings(usage, ids, node, gpus.count, this.gpuLabel(gpus.type, usage));
          const taken = new Set(hostpciEntries(config).map((e) => e.key));
          const keys: string[] = [];
          for (let i = 0; keys.length < mappings.length && i < 16; i++) if (!taken.has(`hostpci${i}`)) keys.push(`hostpci${i}`);
          if (keys.length < mappings.length) throw new ProviderError("parameter", `VM ${vmid} has no free hostpci slot for ${gpus.count} GPUs`);
          plan = mappings.map((mapping, i) => ({ key: keys[i]!, mapping }));
          await ctx.remember({ gpuDevices: plan });
        }
        const change: Record<string, string> = {};
        if (!isQ35(config.machine)) change.machine = "q35";
        for (const g of plan) if (String(config[g.key] ?? "") !== hostpciValue(g.mapping)) change[g.key] = hostpciValue(g.mapping);
        if (Object.keys(change).length) await this.client.updateConfig(node, vmid, change);
        const problem = gpuConfigProblem(await this.client.vmConfig(node, vmid), plan);
        if (problem) throw new ProviderError("server", `PVE reports VM ${vmid} with ${problem}`);
        await ctx.log(
          `Attached ${gpus.count} ${this.gpuLabel(gpus.type)} GPU${gpus.count === 1 ? "" : "s"}: ${plan.map((g) => `${g.key} = ${hostpciValue(g.mapping)}`).join(", ")}${change.machine ? `; machine type q35 (was ${config.machine ?? "i440fx"})` : ""}; PVE picks a free device of the mapping on ${node} when the VM starts`,
        );
      },
    };
  }

  private provisionSteps(spec: CreateSpec): ProviderStep[] {
    const node = spec.targetNode;
    const vmidOf = (ctx: StepContext) => (typeof ctx.facts.vmid === "number" ? ctx.facts.vmid : spec.vmid);
    /**
     * Another VMID after `after` was found taken on PVE: the next free one that no other request
     * of this process was handed, claimed for this VM in the portal's records (which refuse an id
     * another of its VMs holds, in any process).
     */
    const another = async (ctx: StepContext, after: number): Promise<number> => {
      let floor = after;
      for (let i = 0; i < 50; i++) {
        const candidate = await this.allocateVmId(async (id) => id <= floor || this.handedOut.has(id));
        if (!ctx.claimRef || (await ctx.claimRef(pveRef(node, candidate)))) {
          this.handedOut.set(candidate, Date.now() + HANDED_OUT_MS);
          return candidate;
        }
        await ctx.log(`VMID ${candidate} is held by another VM of the portal; taking another`);
        floor = candidate;
      }
      throw new ProviderError("conflict", `Could not find a free VMID after ${after}`);
    };
    return [
      {
        key: "clone",
        name: "Clone template",
        run: async (ctx) => {
          let vmid = vmidOf(ctx);
          if (typeof ctx.facts.cloneUpid === "string" && ctx.facts.cloned === true) {
            try {
              await this.wait(ctx.facts.cloneUpid, ctx); // resumed (a crash, or a retry): the clone was started
              return;
            } catch (error) {
              // A clone task that failed leaves nothing behind on PVE (qemu-server removes its VM):
              // a retry of the step clones again instead of failing on the old task's answer.
              if (!(error instanceof ProviderError) || error.kind !== "task_failed" || (await this.client.vmExists(node, vmid))) throw error;
              await ctx.remember({ cloned: false, cloneUpid: null, cloneRequested: null });
              await ctx.log(`The earlier clone ${ctx.facts.cloneUpid ?? ""} failed and left nothing behind; cloning again`);
            }
          }
          for (let attempt = 0; attempt < 5; attempt++) {
            if (await this.client.vmExists(node, vmid)) {
              const config = await this.client.vmConfig(node, vmid).catch(() => undefined);
              if (config?.name === spec.name && ctx.facts.cloned === true) return; // ours, from an earlier attempt
              // An earlier attempt asked PVE for this clone but died before it could remember the
              // UPID. While PVE clones, the new config holds only `lock: clone` (qemu-server writes a
              // temporary file), so wait for the lock to clear, then the name tells whose clone it was.
              if (ctx.facts.cloneRequested === vmid) {
                await ctx.log(`Resuming: VM ${vmid} exists; waiting for a clone of an earlier attempt to finish`);
                await this.waitUnlocked(node, vmid);
                const after = await this.client.vmConfig(node, vmid).catch(() => undefined);
                if (after?.name === spec.name) {
                  await ctx.remember({ vmid, cloned: true });
                  return;
                }
              }
              await ctx.log(`VMID ${vmid} was taken by another VM meanwhile; taking another`);
              vmid = await another(ctx, vmid);
              continue;
            }
            try {
              // Remembered before the request, so that a worker dying between PVE's answer and
              // remembering the UPID still recognises the clone as its own (no second VM).
              await ctx.remember({ vmid, cloneRequested: vmid });
              const upid = await this.client.clone(spec.template.node, spec.template.vmid, {
                newid: vmid,
                name: spec.name,
                full: true,
                storage: spec.storage,
                target: node !== spec.template.node ? node : undefined,
                description: spec.description,
              });
              await ctx.remember({ vmid, cloned: true, cloneUpid: upid });
              await ctx.recordProviderTask(upid);
              try {
                await this.wait(upid, ctx);
              } catch (error) {
                // Lock contention (parallel clones of one template wait on its config lock:
                // `can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout`): the worker
                // failed before it wrote anything, so the clone is asked for again after a back-off
                // (a retryable error: the job is retried), never a failure.
                if (error instanceof ProviderError && error.kind === "task_failed" && kindFor(500, error.message) === "locked" && !(await this.client.vmExists(node, vmid))) {
                  await ctx.remember({ cloned: false, cloneUpid: null, cloneRequested: null });
                  throw new ProviderError("locked", error.message, { providerTaskId: upid, cause: error });
                }
                // The id exists on another node (another client, or another portal process, took
                // it): PVE's task fails writing the config file and leaves nothing of ours behind.
                if (!(error instanceof ProviderError) || error.kind !== "task_failed" || !/File exists|config file already exists/.test(error.message)) throw error;
                if (await this.client.vmExists(node, vmid)) throw error;
                await ctx.remember({ cloned: false, cloneUpid: null, cloneRequested: null });
                await ctx.log(`VMID ${vmid} was taken on another node meanwhile (${error.message}); taking another`);
                vmid = await another(ctx, vmid);
                continue;
              }
              if (vmid !== spec.vmid) await ctx.log(`The VM has VMID ${vmid}, not ${spec.vmid} as first answered: another client took ${spec.vmid} meanwhile`);
              return;
            } catch (error) {
              // nextid can hand the same id to two callers: take a new one and try again.
              if (error instanceof ProviderError && /already exists/.test(error.message) && ctx.facts.cloned !== true) {
                await ctx.log(`VMID ${vmid} was taken meanwhile (${error.message}); taking another`);
                vmid = await another(ctx, vmid);
                continue;
              }
              throw error;
            }
          }
          throw new ProviderError("conflict", "Could not find a free VMID after 5 attempts");
        },
      },
      {
        key: "configure",
        name: "Configure CPU, memory, name and cloud-init",
        run: async (ctx) => {
          const vmid = vmidOf(ctx);
          const config = await this.client.vmConfig(node, vmid);
          // The topology is set explicitly: one socket of N cores, and no `vcpus` limit left from
          // the template that would run the guest with fewer vCPUs than recorded.
          const drop = config.vcpus !== undefined ? ["vcpus"] : [];
          await this.client.updateConfig(node, vmid, {
            cores: spec.cpuCores,
            sockets: 1,
            memory: spec.memoryMb,
            name: spec.name,
            ipconfig0: "ip=dhcp",
            ...(drop.length ? { delete: drop } : {}),
            ...(spec.ciuser ? { ciuser: spec.ciuser } : {}),
            ...(spec.cipassword ? { cipassword: spec.cipassword } : {}),
            ...(spec.sshKeys?.length ? { sshkeys: spec.sshKeys.join("\n") } : {}),
          });
          await ctx.log(
            `Set 1 socket x ${spec.cpuCores} cores${drop.length ? ` (removed the template's vcpus limit of ${config.vcpus})` : ""}, ${spec.memoryMb} MB memory, name ${spec.name}, cloud-init (ip=dhcp${spec.ciuser ? `, user ${spec.ciuser}` : ""})`,
          );
        },
      },
      ...(spec.gpus ? [this.gpuStep(spec, spec.gpus, vmidOf)] : []),
      {
        key: "resize",
        name: "Resize disk",
        run: async (ctx) => {
          const vmid = vmidOf(ctx);
          const config = await this.client.vmConfig(node, vmid);
          const disk = bootDisk(config);
          if (!disk) throw new ProviderError("parameter", `VM ${vmid} has no boot disk in its boot order (${config.boot ?? "none"})`);
          const current = diskSizeGb(config[disk]);
          if (current !== undefined && current > spec.diskGb) {
            throw new ProviderError("parameter", `The boot disk ${disk} is ${current} GB, larger than the ${spec.diskGb} GB requested (disks never shrink)`);
          }
          if (current !== undefined && current === spec.diskGb) {
            await ctx.log(`Boot disk ${disk} is already ${current} GB`);
            return;
          }
          await this.track(ctx, "resize", () => this.client.resize(node, vmid, disk, `${spec.diskGb}G`));
          await ctx.log(`Boot disk ${disk} resized to ${spec.diskGb} GB`);
        },
      },
      {
        key: "verify",
        name: "Check the configuration PVE reports",
        run: async (ctx) => {
          const vmid = vmidOf(ctx);
          const config = await this.client.vmConfig(node, vmid);
          const built = builtSize(config);
          const gpuDiff = spec.gpus ? gpuConfigProblem(config, gpuPlanOf(ctx)) : null;
          const diffs = [
            built.cpuCores !== spec.cpuCores && `${built.cpuCores} vCPUs instead of ${spec.cpuCores}`,
            built.memoryMb !== spec.memoryMb && `${built.memoryMb ?? "unknown"} MB memory instead of ${spec.memoryMb}`,
            built.diskGb !== spec.diskGb && `a ${built.diskGb ?? "unknown"} GB boot disk (${built.bootDisk ?? "none"}) instead of ${spec.diskGb} GB`,
            gpuDiff,
          ].filter((d): d is string => typeof d === "string");
          await ctx.remember({ built: { cpuCores: built.cpuCores, memoryMb: built.memoryMb ?? null, diskGb: built.diskGb ?? null } });
          if (diffs.length) throw new ProviderError("server", `PVE reports VM ${vmid} with ${diffs.join(", ")}`);
          const gpuNote = spec.gpus ? ` and ${spec.gpus.count} GPU${spec.gpus.count === 1 ? "" : "s"} (${gpuPlanOf(ctx).map((g) => `${g.key}: mapping ${g.mapping}`).join(", ")})` : "";
          await ctx.log(`PVE reports ${built.cpuCores} vCPUs, ${built.memoryMb} MB memory, a ${built.diskGb} GB boot disk (${built.bootDisk})${gpuNote}, as requested`);
        },
      },
      {
        key: "start",
        name: "Start VM",
        run: async (ctx) => {
          const vmid = vmidOf(ctx);
          const status = await this.client.currentStatus(node, vmid);
          if (status.state !== "running") await this.track(ctx, "start", () => this.client.start(node, vmid));
          // PVE hands a mapped device to a VM when it starts: from now on the offers' free count leaves it out.
          if (spec.gpus) await ctx.gpusAttached?.();
        },
      },
      {
        key: "agent",
        name: "Wait for the guest agent and read the IP",
        run: async (ctx) => {
          const vmid = vmidOf(ctx);
          const config = await this.client.vmConfig(node, vmid);
          if (!agentEnabled(config.agent)) {
            await ctx.remember({ ipPending: "no_agent" });
            await ctx.log("The VM has no QEMU guest agent configured, so PVE cannot report its IP address; not waiting for one");
            return;
          }
          const deadline = Date.now() + this.timing.agentTimeoutMs;
          let lastError = "";
          for (let attempt = 0; Date.now() < deadline; attempt++) {
            const ip = await this.readAddress(node, vmid).catch(async (error: unknown) => {
              const message = error instanceof Error ? error.message : String(error);
              if (message !== lastError) await ctx.log(`Waiting for the guest agent: ${message}`);
              lastError = message;
              return null;
            });
            if (ip) {
              await ctx.remember({ ipAddress: ip, ipPending: null });
              await ctx.log(`Guest agent reports ${ip}`);
              return;
            }
            await new Promise((r) => setTimeout(r, pollDelay(attempt, 250, this.timing.agentPollMs)));
          }
          // The VM is built and running: a silent agent is a warning, never a reason to destroy it.
          await ctx.remember({ ipPending: "agent_silent" });
          await ctx.log(`${NO_IP_NOTICE} within ${Math.round(this.timing.agentTimeoutMs / 1000)} s; the VM is kept, and its IP is filled in once the agent answers`);
        },
      },
    ];
  }

  /** The guest's first address (IPv4 preferred) from the agent; throws while the agent does not answer. */
  private async readAddress(node: string, vmid: number): Promise<string | null> {
    const addresses = await this.client.agentNetworkInterfaces(node, vmid);
    return addresses.find((a) => a.family === "ipv4")?.address ?? addresses[0]?.address ?? null;
  }

  /** The VM's addresses now, from the guest agent; [] while it does not answer (or the VM has none). */
  async addresses(ref: ProviderRef): Promise<string[]> {
    const { node, vmid } = refOf(ref);
    const ip = await this.readAddress(node, vmid).catch(() => null);
    return ip ? [ip] : [];
  }

  private async destroyVm(ref: PveLocation, log?: (lines: ProviderLogLine[] | string) => Promise<void>): Promise<void> {
    if (!(await this.client.vmExists(ref.node, ref.vmid))) return;
    const status = await this.client.currentStatus(ref.node, ref.vmid);
    if (status.state === "running" || status.state === "paused") {
      const stop = await this.client.stop(ref.node, ref.vmid);
      await this.client.waitForTask(stop, { pollMs: this.timing.taskPollMs, onLog: log });
    }
    const upid = await this.client.destroy(ref.node, ref.vmid);
    await this.client.waitForTask(upid, { pollMs: this.timing.taskPollMs, onLog: log });
  }

  async listVms(): Promise<ProviderVm[]> {
    const resources = await this.client.clusterResources("vm");
    return resources
      .filter((r) => !r.template && r.vmid !== undefined && r.type === "qemu")
      .map((r) => ({
        ref: pveRef(r.node ?? "", r.vmid!),
        name: r.name ?? "",
        status: r.status ?? "unknown",
        size: {
          cpuCores: r.maxcpu,
          memoryMb: r.maxmem !== undefined ? Math.round(r.maxmem / 1024 ** 2) : undefined,
          diskGb: r.maxdisk !== undefined ? Math.round(r.maxdisk / GiB) : undefined,
        },
      }));
  }

  /** Stops a running PVE task by its UPID (a cancel of the portal's task): see PveClient.stopTask. */
  async cancelProviderTask(providerTaskId: string): Promise<void> {
    await this.client.stopTask(providerTaskId);
  }

  async status(ref: ProviderRef): Promise<VmStatus> {
    const { node, vmid } = refOf(ref);
    return this.client.currentStatus(node, vmid);
  }
}
