import { Decimal, fromPlanRentalType, quoteToJson, type RentalChoice, type RentalQuote } from "../../pricing/rental";
import type { RentalType } from "../../schemas/catalog";
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
  type QuoteKey,
  type StepContext,
  type VmAction,
  type VmStatus,
} from "../types";
import { NovaClient, type NovaAuth } from "./client";
import { NovaError } from "./errors";
import { createOrRecognise, destroyRental, ensureSshKey, isReady, listAllVms, newVmsLike, recordedFacts, restartRental, startRental, stopRental, waitUntilReady, type WaitOptions } from "./flow";
import { novaCreateOptions, novaNodeName, novaTemplateRef, novaVmRef, templateOf, vmOf, type NovaCreateOptions } from "./module-schemas";
import { largestCount, novaRates, offerSize, quoteNovaRental } from "./prices";
import { DOCUMENTED_TEMPLATES, gpuLabelGuess } from "./protocol-guesses";
import { parseSshPublicKey, sameKey } from "./ssh-key";
import {
  NOVA_GPU_COUNTS,
  NOVA_MAX_SSH_KEYS,
  NOVA_MIN_PASSWORD_LENGTH,
  NOVA_MIN_STORAGE_GB,
  type NovaCreateVmInput,
  type NovaOffer,
  type NovaPricing,
  type NovaReservationMonths,
  type NovaVm,
} from "./types";

/** Credentials as stored for a Nova connection (lib/config/apply.ts providerCredentials): an API key `nv_…`, or the account's login. */
export function novaAuth(credentials: Record<string, string>): NovaAuth {
  if (credentials.apiKey) return { type: "api_key", apiKey: credentials.apiKey };
  const email = credentials.email ?? credentials.username;
  if (email && credentials.password) return { type: "login", email, password: credentials.password };
  throw new ProviderError("auth", "This Nova Cloud connection has no usable credentials (apiKey, or email and password)");
}

/** Polling and caching of the provider (ms); tests shorten them. */
export type NovaTiming = {
  /** First poll of a VM's status after an action, doubling up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
  /** How long a create may take to run with an IP (GPU images are large). */
  readyTimeoutMs: number;
  /** How long an action (start, stop, destroy) may take. */
  actionTimeoutMs: number;
  /** How long the wizard's view of the offers is reused (the precheck always reads them afresh). */
  offersCacheMs: number;
  /** How long prices (`GET /pricing`) are reused. */
  pricingCacheMs: number;
};

export const DEFAULT_NOVA_TIMING: NovaTiming = { pollMs: 250, maxPollMs: 10_000, readyTimeoutMs: 20 * 60_000, actionTimeoutMs: 10 * 60_000, offersCacheMs: 5_000, pricingCacheMs: 60_000 };

/** The rental as Nova's `POST /vms` takes it, from the catalog's rental type (default on demand). */
export function novaRental(rental: CreateRequest["rental"]): { rental_type: "on_demand" | "reserved" | "interruptible"; reservation_months?: NovaReservationMonths } {
  const choice = fromPlanRentalType(rental?.type ?? "on_demand");
  if (choice.rentalType === "reserved") return { rental_type: "reserved", reservation_months: choice.reservationMonths as NovaReservationMonths };
  return { rental_type: choice.rentalType };
}

/** The rental choice of lib/pricing/rental.ts for a request. */
function choiceOf(rental: CreateRequest["rental"]): RentalChoice {
  const nova = novaRental(rental);
  if (nova.rental_type === "reserved") return { rentalType: "reserved", reservationMonths: nova.reservation_months as NovaReservationMonths };
  return { rentalType: nova.rental_type, ...(rental?.autoRestart !== undefined && nova.rental_type === "interruptible" ? { autoRestart: rental.autoRestart } : {}) };
}

const RENTAL_WORDS: Record<RentalType, string> = {
  on_demand: "on demand",
  reserved_1m: "reserved for 1 month",
  reserved_3m: "reserved for 3 months",
  reserved_6m: "reserved for 6 months",
  interruptible: "interruptible",
};

/** Every rental type Nova offers, in the catalog's names. */
export const NOVA_RENTAL_TYPES_OFFERED: readonly RentalType[] = ["on_demand", "reserved_1m", "reserved_3m", "reserved_6m", "interruptible"];

/** "auto"/"any" as a target: Nova's node is chosen by the provider (the seed API requires a target). */
const AUTO_TARGETS = new Set(["auto", "any"]);

/** What the precheck resolved and the create steps build. */
type Spec = {
  templateVmid: number;
  node: string;
  gpuType: string;
  gpuCount: number;
  storageGb: number;
  rental: ReturnType<typeof novaRental>;
  sshKey?: string;
  password?: string;
};

/** Free GPUs of an offer now (undefined: the offer does not say how many). */
function freeOf(offer: NovaOffer): number | undefined {
  return offer.availableCount ?? (offer.available ? undefined : 0);
}

const fits = (offer: NovaOffer, count: number) => {
  const free = freeOf(offer);
  return offer.available && (free === undefined || free >= count);
};

const gb = (mb: number) => Math.round((mb / 1024) * 100) / 100;

/**
 * Nova Cloud GPU rentals behind the common provider interface. A create uploads the user's SSH
 * key (reused by fingerprint: an account holds at most 5), rents with `POST /vms` (every field
 * of the seed, the rental type and reservation months from the request), and waits until Nova
 * reports it running with an IP; what is recorded is Nova's own VM object (cores, RAM, disk,
 * GPUs, rates). Nova's refusals keep their kinds: `payment` (its balance message, verbatim),
 * `capacity` (sold out). Protocol details: README.md here; guesses: protocol-guesses.ts.
 */
export class NovaProvider implements ProviderClient {
  readonly kind = "nova" as const;
  readonly client: NovaClient;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly config: ProviderConnectionConfig,
    private readonly timing: NovaTiming = DEFAULT_NOVA_TIMING,
  ) {
    this.client = new NovaClient({
      baseUrl: config.baseUrl,
      auth: novaAuth(config.credentials),
      tls: config.tls,
      timeoutMs: config.timeouts?.requestMs,
      callTimeoutMs: config.timeouts?.callMs,
    });
  }

  close(): void {
    this.client.close();
  }

  /** `GET /billing/balance`: needs valid credentials, so it is the connection test. */
  async testConnection() {
    const balance = await this.client.balance();
    return { version: `Nova Cloud API (balance ${balance.balance} ${balance.currency})` };
  }

  homeOf(ref: ProviderRef): string | null {
    if ("templateVmid" in ref.data) return null;
    return vmOf(ref).node ?? null;
  }

  describe(ref: ProviderRef): string {
    if ("templateVmid" in ref.data) return `Nova template ${templateOf(ref).templateVmid}`;
    const { vmId, node } = vmOf(ref);
    return `Nova VM ${vmId}${node ? ` on ${node}` : ""}`;
  }

  /** A value loaded at most once per `ttlMs` (a failed load is not kept). */
  private cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: Date.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  /** The offers (`GET /search`) and prices (`GET /pricing`, optional: an unreadable one is left out). */
  private async catalogue(fresh = false): Promise<{ offers: NovaOffer[]; pricing?: NovaPricing }> {
    const offers = fresh ? this.client.search() : this.cached("offers", this.timing.offersCacheMs, () => this.client.search());
    const pricing = this.cached("pricing", this.timing.pricingCacheMs, () => this.client.pricing()).catch(() => undefined);
    const [o, p] = await Promise.all([offers, pricing]);
    if (fresh) this.cache.set("offers", { at: Date.now(), value: Promise.resolve(o) });
    return { offers: o, pricing: p };
  }

  private storageGbHourly(): string | undefined {
    const v = this.config.settings.storageGbHourly;
    return typeof v === "string" && v ? v : undefined;
  }

  /** Nova's nodes from its offers; with a template, a node without any free GPU says so. */
  async placements(template?: ProviderRef): Promise<Placement[]> {
    const { offers } = await this.catalogue();
    const nodes = new Map<string, boolean>();
    for (const o of offers) if (o.node) nodes.set(o.node, (nodes.get(o.node) ?? false) || fits(o, 1));
    return [...nodes].map(([name, free]) => ({ name, online: true, ...(template && !free ? { unavailable: "No free GPU on this node now" } : {}) }));
  }

  async discover(): Promise<Discovery> {
    const [{ offers, pricing }, balance] = await Promise.all([this.catalogue(true), this.client.balance().catch(() => null)]);
    const currency = pricing?.currency ?? balance?.currency ?? "USD";
    const storage = offers.find((o) => o.storageGbHourly)?.storageGbHourly ?? pricing?.storageGbHourly ?? this.storageGbHourly();
    return {
      inventory: [
        {
          title: "GPU offers",
          columns: ["Node", "Location", "GPU", "GPU memory", "Free / installed", "Per GPU-hour", "Interruptible", "Per GPU: cores, RAM"],
          rows: offers.map((o) => [
            o.node ?? "—",
            o.location ?? "—",
            gpuLabelGuess(o.gpuType, o.raw) === o.gpuType ? o.gpuType : `${gpuLabelGuess(o.gpuType, o.raw)} (${o.gpuType})`,
            o.gpuRamMb === undefined ? "—" : `${gb(o.gpuRamMb)} GB`,
            `${freeOf(o) ?? (o.available ? "some" : "0")} / ${o.gpuCount ?? "?"}`,
            o.gpuHourly ?? pricing?.gpus[o.gpuType] ?? "—",
            o.interruptibleHourly ?? pricing?.interruptibleGpus[o.gpuType] ?? "—",
            o.cpuCoresPerGpu !== undefined || o.ramGbPerGpu !== undefined ? `${o.cpuCoresPerGpu ?? "?"} cores, ${o.ramGbPerGpu ?? "?"} GB` : "—",
          ]),
        },
        {
          title: "Account",
          columns: ["Balance", "Currency", "Storage per GB-hour"],
          rows: [[balance?.balance ?? "—", currency, storage ?? "not published (set the connection's storage price)"]],
        },
      ],
      templates: DOCUMENTED_TEMPLATES.map((t) => ({ ref: novaTemplateRef(t.vmid), name: t.name, where: `Nova template ${t.vmid}`, size: {} })),
    };
  }

  /**
   * The GPU offers of Nova now, grouped by its own GPU type names (never a fixed list): memory,
   * the counts `POST /vms` takes up to the largest node, installed and free GPUs, the nodes with
   * free ones, the cores and RAM Nova gives per GPU, and the hourly rates (decimal strings).
   */
  async gpuOffers(template: ProviderTemplate): Promise<GpuOffer[]> {
    void template; // every template of a Nova account runs on every offer
    const { offers, pricing } = await this.catalogue();
    const byType = new Map<string, NovaOffer[]>();
    for (const o of offers) byType.set(o.gpuType, [...(byType.get(o.gpuType) ?? []), o]);
    return [...byType].map(([gpuType, list]) => {
      const first = list[0] as NovaOffer;
      const total = list.reduce((n, o) => n + (o.gpuCount ?? 0), 0);
      const available = list.reduce((n, o) => n + (freeOf(o) ?? (o.available ? (o.gpuCount ?? 0) : 0)), 0);
      const largestNode = Math.max(...list.map((o) => o.gpuCount ?? NOVA_GPU_COUNTS[NOVA_GPU_COUNTS.length - 1]!));
      const perGpu = list.find((o) => o.cpuCoresPerGpu !== undefined || o.cpuCores !== undefined);
      const size = perGpu ? offerSize(perGpu, 1) : {};
      const ramMb = list.find((o) => o.gpuRamMb !== undefined)?.gpuRamMb;
      let rates: GpuOffer["rates"];
      try {
        const r = novaRates(gpuType, { offers, pricing, storageGbHourly: this.storageGbHourly() });
        rates = {
          gpuHour: String(r.gpuHourly),
          storageGbHour: String(r.storageGbHourly),
          ...(r.interruptibleGpuHourly !== undefined ? { interruptibleGpuHour: String(r.interruptibleGpuHourly) } : {}),
          currency: pricing?.currency ?? "USD",
        };
      } catch {
        const gpuHour = first.gpuHourly ?? pricing?.gpus[gpuType];
        rates = gpuHour ? { gpuHour, currency: pricing?.currency ?? "USD" } : undefined;
      }
      return {
        gpuType,
        label: gpuLabelGuess(gpuType, first.raw),
        ...(ramMb !== undefined ? { memoryGb: Math.round(ramMb / 1024) } : {}),
        counts: NOVA_GPU_COUNTS.filter((c) => c <= largestNode),
        total,
        available,
        placements: list.filter((o) => o.node && fits(o, 1)).map((o) => o.node as string),
        ...(size.cpuCores !== undefined && size.ramGb !== undefined ? { perGpu: { cpuCores: size.cpuCores, memoryMb: Math.round(size.ramGb * 1024) } } : {}),
        ...(rates ? { rates } : {}),
        rentalTypes: NOVA_RENTAL_TYPES_OFFERED,
      };
    });
  }

  /** The options with the target resolved ("auto"/"any" and absent mean: Nova's node is chosen here). */
  private optionsOf(request: CreateRequest): NovaCreateOptions {
    const options = novaCreateOptions.parse(request.options);
    return { ...options, target: options.target && !AUTO_TARGETS.has(options.target.toLowerCase()) ? options.target : undefined };
  }

  /** The GPU type and count asked for: the size's GPU, else what the precheck resolved into the options. */
  private wantedGpu(request: CreateRequest, options: NovaCreateOptions): { gpuType?: string; gpuCount?: number; several: boolean } {
    const gpus = Object.entries(request.size.gpus).filter(([, n]) => (n ?? 0) > 0);
    if (gpus.length > 0) return { gpuType: gpus[0]![0], gpuCount: gpus[0]![1], several: gpus.length > 1 };
    return { gpuType: options.gpuType, gpuCount: options.gpuCount, several: false };
  }

  /**
   * Checks the request against Nova's offers read now (`GET /search`; prices from `/pricing`)
   * and its documented rules, each problem in the user's words: the GPU type is offered, the
   * count is 1, 2, 4 or 8 and free on the node (`target`, or the node with the most free GPUs
   * of that type), the disk is at least 50 GB, the cores and memory are not above what the offer
   * comes with, a password has at least 12 characters, and an SSH key fits the account's 5 keys.
   * Without a GPU in the request the first offer with a free GPU is taken, one GPU. Returns the
   * resolved options (`target`, `gpuType`, `gpuCount`).
   */
  async precheck(request: CreateRequest): Promise<Precheck> {
    const options = this.optionsOf(request);
    const problems: string[] = [];
    const { offers } = await this.catalogue(true);
    const wanted = this.wantedGpu(request, options);
    if (wanted.several) problems.push("A Nova Cloud machine has GPUs of one type only: choose one GPU type");
    const count = wanted.gpuCount ?? 1;
    if (!(NOVA_GPU_COUNTS as readonly number[]).includes(count)) problems.push(`Nova Cloud rents 1, 2, 4 or 8 GPUs per machine, not ${count}`);
    if (options.target && !novaNodeName.safeParse(options.target).success) problems.push(`"${options.target}" is not a Nova node id (e.g. vm01)`);
    const types = [...new Set(offers.map((o) => o.gpuType))];
    let gpuType = wanted.gpuType;
    const onTarget = (o: NovaOffer) => !options.target || o.node === undefined || o.node === options.target;
    if (!gpuType) {
      gpuType = offers.find((o) => onTarget(o) && fits(o, count))?.gpuType ?? offers.find(onTarget)?.gpuType;
      if (!gpuType) problems.push(options.target ? `Nova Cloud offers no GPU on node ${options.target}` : "Nova Cloud offers no GPU now");
    } else if (!types.includes(gpuType)) {
      problems.push(`Nova Cloud offers no GPU type "${gpuType}"${types.length ? `; it offers ${types.join(", ")}` : ""}`);
    }
    let node = options.target;
    let offer: NovaOffer | undefined;
    if (gpuType && types.includes(gpuType)) {
      const ofType = offers.filter((o) => o.gpuType === gpuType);
      if (options.target) {
        offer = ofType.find((o) => o.node === options.target) ?? ofType.find((o) => o.node === undefined);
        const nodes = [...new Set(offers.map((o) => o.node).filter((n): n is string => !!n))];
        if (!offer) {
          const where = ofType.map((o) => o.node).filter(Boolean);
          problems.push(
            nodes.length && !nodes.includes(options.target)
              ? `Nova Cloud has no node "${options.target}"; its nodes are ${nodes.join(", ")}`
              : `Node ${options.target} has no ${gpuType} GPUs${where.length ? `; ${gpuType} GPUs are on ${where.join(", ")}` : ""}`,
          );
        } else if (!fits(offer, count)) {
          const elsewhere = ofType.filter((o) => o !== offer && o.node && fits(o, count)).map((o) => o.node);
          problems.push(
            `Node ${options.target} has ${freeOf(offer) ?? 0} free ${gpuType} GPUs now, not ${count} (sold out)${elsewhere.length ? `; ${elsewhere.join(", ")} has ${count} free` : ""}`,
          );
        }
      } else {
        const candidates = ofType.filter((o) => fits(o, count)).sort((a, b) => (freeOf(b) ?? Infinity) - (freeOf(a) ?? Infinity));
        offer = candidates[0];
        if (!offer) {
          const most = Math.max(0, ...ofType.map((o) => largestCount(freeOf(o) ?? 0)));
          problems.push(`No Nova node has ${count} free ${gpuType} GPUs now (sold out)${most > 0 ? `; at most ${most} can be rented` : ""}`);
        } else if (!offer.node) problems.push("Nova Cloud's offers do not name their nodes: name the node as the target (e.g. vm01)");
        node = offer?.node;
      }
    }
    if (offer) {
      const size = offerSize(offer, count);
      if (size.cpuCores !== undefined && request.size.cpuCores > size.cpuCores) {
        problems.push(`cpuCores must not exceed ${size.cpuCores}: ${count}× ${gpuType} comes with ${size.cpuCores} cores`);
      }
      if (size.ramGb !== undefined && request.size.memoryMb > Math.round(size.ramGb * 1024)) {
        problems.push(`memorySize must not exceed ${Math.round(size.ramGb * 1024)} MB: ${count}× ${gpuType} comes with ${size.ramGb} GB`);
      }
    }
    if (request.size.diskGb < NOVA_MIN_STORAGE_GB) problems.push(`diskSize must be at least ${NOVA_MIN_STORAGE_GB} GB on Nova Cloud`);
    const sshKey = request.cloudInit.sshKeys?.[0];
    const password = request.cloudInit.password;
    if (sshKey) {
      let parsed: ReturnType<typeof parseSshPublicKey> | undefined;
      try {
        parsed = parseSshPublicKey(sshKey);
      } catch (error) {
        problems.push(`Nova Cloud cannot use this SSH key: ${(error as Error).message}`);
      }
      if (parsed) {
        // The list is undocumented: when it cannot be read, the create step finds out.
        const keys = await this.client.listSshKeys().catch(() => null);
        if (keys && keys.length >= NOVA_MAX_SSH_KEYS && !keys.some((k) => sameKey(k, parsed))) {
          problems.push(
            `The Nova Cloud account already holds ${NOVA_MAX_SSH_KEYS} SSH keys, the most it may have, and none of them is yours (${parsed.fingerprint}): an administrator needs to remove one in Nova Cloud`,
          );
        }
      }
    } else if (!password) {
      problems.push(`Nova Cloud needs an SSH key or a password (at least ${NOVA_MIN_PASSWORD_LENGTH} characters) to log in`);
    } else if (password.length < NOVA_MIN_PASSWORD_LENGTH) {
      problems.push(`The password must be at least ${NOVA_MIN_PASSWORD_LENGTH} characters on Nova Cloud`);
    }
    const resolved: NovaCreateOptions = { ...(node ? { target: node } : {}), ...(gpuType ? { gpuType } : {}), gpuCount: count };
    return { problems, options: resolved };
  }

  /** Nothing to hand out before the create: Nova names the VM when `POST /vms` answers. */
  async accept(request: CreateRequest): Promise<Accepted> {
    const spec = this.specOf(request);
    return { ref: null, step: null, describe: `on ${spec.node}: ${spec.gpuCount}× ${spec.gpuType}, ${RENTAL_WORDS[request.rental?.type ?? "on_demand"]}` };
  }

  private specOf(request: CreateRequest): Spec {
    const options = this.optionsOf(request);
    const wanted = this.wantedGpu(request, options);
    if (!options.target || !wanted.gpuType) throw new ProviderError("server", "The Nova request was not prechecked (no node or GPU type)");
    const sshKey = request.cloudInit.sshKeys?.[0];
    return {
      templateVmid: templateOf(request.template.ref).templateVmid,
      node: options.target,
      gpuType: wanted.gpuType,
      gpuCount: wanted.gpuCount ?? 1,
      storageGb: request.size.diskGb,
      rental: novaRental(request.rental),
      ...(sshKey ? { sshKey } : { password: request.cloudInit.password }),
    };
  }

  private waitOptions(ctx: StepContext, timeoutMs: number): WaitOptions {
    return {
      intervalMs: this.timing.pollMs,
      maxIntervalMs: this.timing.maxPollMs,
      timeoutMs,
      onStatus: (vm) => ctx.log(`Nova reports ${vm.status}${vm.ipAddress ? ` at ${vm.ipAddress}` : ""}`),
    };
  }

  createSteps(request: CreateRequest): ProviderStep[] {
    const spec = this.specOf(request);
    const label = `${spec.gpuCount}× ${spec.gpuType} on ${spec.node}`;
    return [
      {
        key: "ssh_key",
        name: "Upload the SSH key (reused by fingerprint)",
        run: async (ctx) => {
          if (!spec.sshKey) {
            await ctx.log("Password login: no SSH key to upload");
            return;
          }
          if (typeof ctx.facts.sshKeyId === "string") return;
          const { key, reused } = await ensureSshKey(this.client, spec.sshKey);
          await ctx.remember({ sshKeyId: key.id });
          await ctx.log(reused ? `The account already holds this key (${key.fingerprint ?? key.id}); reusing it` : `Uploaded the SSH key (${key.fingerprint ?? key.id})`);
        },
      },
      {
        key: "rent",
        name: "Rent the GPU machine",
        run: async (ctx) => {
          if (typeof ctx.facts.vmId === "string") {
            await ctx.log(`Resuming: Nova VM ${ctx.facts.vmId} was rented by an earlier attempt`);
            return;
          }
          const body: NovaCreateVmInput = {
            node: spec.node,
            gpu_type: spec.gpuType,
            gpu_count: spec.gpuCount,
            storage_gb: spec.storageGb,
            template_vmid: spec.templateVmid,
            ...spec.rental,
            ...(spec.sshKey ? { auth_method: "ssh_key" as const, ...(typeof ctx.facts.sshKeyId === "string" ? { ssh_key_id: ctx.facts.sshKeyId } : {}) } : { auth_method: "password" as const, password: spec.password }),
          };
          // An earlier attempt may have died between Nova's answer and remembering the id: a new
          // VM of this shape that was not there before is ours (never rent twice: both would bill).
          const earlier = ctx.facts.vmsBefore;
          if (Array.isArray(earlier)) {
            const mine = newVmsLike(await listAllVms(this.client), new Set(earlier as string[]), body);
            if (mine.length === 1) {
              await this.rented(ctx, mine[0] as NovaVm, true);
              return;
            }
            if (mine.length > 1) throw new ProviderError("conflict", `${mine.length} new Nova VMs of this kind appeared since an earlier attempt; check the Nova account before trying again`);
          }
          const before = (await listAllVms(this.client)).map((v) => v.id);
          await ctx.remember({ vmsBefore: before });
          await ctx.log(`Renting ${label} (${spec.rental.rental_type}${spec.rental.reservation_months ? `, ${spec.rental.reservation_months} months` : ""}), ${spec.storageGb} GB, template ${spec.templateVmid}`);
          const vm = await createOrRecognise(this.client, body, new Set(before));
          await this.rented(ctx, vm, false);
        },
      },
      {
        key: "wait_running",
        name: "Wait until it runs with an IP address",
        run: async (ctx) => {
          const id = ctx.facts.vmId;
          if (typeof id !== "string") throw new ProviderError("server", "No Nova VM was rented");
          const vm = await waitUntilReady(this.client, id, this.waitOptions(ctx, this.timing.readyTimeoutMs));
          const facts = recordedFacts(vm);
          await ctx.remember({ recorded: facts, node: vm.node ?? spec.node });
          await ctx.log(
            `Nova VM ${vm.id} is running at ${vm.ipAddress}: ${facts.gpuCount ?? spec.gpuCount}× ${facts.gpuType ?? spec.gpuType}, ${facts.cpuCores ?? "?"} cores, ${facts.memoryMb ?? "?"} MB, ${facts.diskGb ?? spec.storageGb} GB, ${facts.hourlyRate ?? "?"} per hour`,
          );
        },
      },
    ];
  }

  private async rented(ctx: StepContext, vm: NovaVm, resumed: boolean): Promise<void> {
    await ctx.remember({ vmId: vm.id, node: vm.node ?? null });
    await ctx.recordProviderTask(vm.id);
    await ctx.gpusAttached?.(); // a rented machine's GPUs are no longer among Nova's available ones
    await ctx.log(`${resumed ? "Found the Nova VM an earlier attempt rented" : "Nova accepted the rental"}: VM ${vm.id}${vm.vmid !== undefined ? ` (vmid ${vm.vmid})` : ""}, ${vm.status}`);
  }

  madeRef(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): ProviderRef | null {
    if (typeof facts.vmId !== "string") return null;
    return novaVmRef(facts.vmId, typeof facts.node === "string" ? facts.node : this.specOf(request).node);
  }

  /** The VM as Nova built it: its own cores, RAM, disk, GPUs and rates are what the portal records. */
  createResult(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): CreateResult {
    const ref = this.madeRef(request, accepted, facts);
    if (!ref) throw new ProviderError("server", "No Nova VM was rented");
    const spec = this.specOf(request);
    const got = (facts.recorded ?? {}) as Partial<ReturnType<typeof recordedFacts>>;
    const gpuType = got.gpuType ?? spec.gpuType;
    const size = {
      cpuCores: got.cpuCores ?? request.size.cpuCores,
      memoryMb: got.memoryMb ?? request.size.memoryMb,
      diskGb: got.diskGb ?? spec.storageGb,
      gpus: { [gpuType]: got.gpuCount ?? spec.gpuCount },
    };
    const notices: string[] = [];
    if (size.cpuCores !== request.size.cpuCores || size.memoryMb !== request.size.memoryMb) {
      notices.push(`Nova Cloud built it with the offer's ${size.cpuCores} cores and ${size.memoryMb} MB`);
    }
    if (spec.sshKey && request.cloudInit.password) notices.push("Log in with your SSH key: Nova Cloud sets either a key or a password, not both");
    const rates =
      got.gpuHourlyRate && got.storageHourlyRate
        ? { gpuHour: got.gpuHourlyRate, storageHour: got.storageHourlyRate, totalHour: got.hourlyRate ?? new Decimal(got.gpuHourlyRate).plus(got.storageHourlyRate).toString() }
        : undefined;
    return { ref, addresses: got.ipAddress ? [got.ipAddress] : [], size, notices, ...(rates ? { rates } : {}) };
  }

  cleanupSteps(ref: ProviderRef): ProviderStep[] {
    const { vmId } = vmOf(ref);
    return [
      {
        key: "remove_half_made",
        name: "Destroy the half-made rental",
        run: async (ctx) => {
          await destroyRental(this.client, vmId, this.waitOptions(ctx, this.timing.actionTimeoutMs));
          await ctx.log(`Nova VM ${vmId} destroyed (its charges end)`);
        },
      },
    ];
  }

  actionSteps(action: VmAction, ref: ProviderRef): ProviderStep[] {
    const { vmId } = vmOf(ref);
    const label = this.describe(ref);
    const wait = (ctx: StepContext) => this.waitOptions(ctx, this.timing.actionTimeoutMs);
    switch (action) {
      case "start":
        return [
          {
            key: "start",
            name: "Start VM",
            run: async (ctx) => {
              const vm = await startRental(this.client, vmId, wait(ctx));
              await ctx.log(`${label} is running${vm.ipAddress ? ` at ${vm.ipAddress}` : ""}`);
            },
          },
        ];
      case "stop":
        return [
          {
            key: "stop",
            name: "Stop VM",
            run: async (ctx) => {
              await stopRental(this.client, vmId, wait(ctx));
              await ctx.log(`${label} is stopped: its GPUs are no longer charged, its storage still is`);
            },
          },
        ];
      case "reboot":
        return [
          {
            key: "reboot",
            name: "Restart VM",
            run: async (ctx) => {
              const vm = await this.client.getVm(vmId);
              if (isReady(vm)) await restartRental(this.client, vmId, wait(ctx));
              else {
                await ctx.log(`${label} is ${vm.status}; starting it instead of restarting`);
                await startRental(this.client, vmId, wait(ctx));
              }
              await ctx.log(`${label} is running`);
            },
          },
        ];
      case "delete":
        return [
          {
            key: "destroy",
            name: "Destroy the rental",
            run: async (ctx) => {
              await destroyRental(this.client, vmId, wait(ctx));
              await ctx.log(`${label} destroyed with its storage: all its charges end`);
            },
          },
        ];
      case "shutdown":
      case "resize":
        throw new ProviderError("parameter", `Nova Cloud cannot ${action} a VM`);
    }
  }

  actionOutcome(action: VmAction): ActionOutcome {
    return { notices: action === "stop" ? ["Its GPUs are no longer charged; its storage still is until it is deleted"] : [], pendingRestart: false };
  }

  /**
   * The VM's power state as Nova reports it: `running`, `stopped`, `interrupted` (an
   * interruptible rental whose GPU was taken back); the transitional states report `lock` with
   * Nova's word (creating, starting, stopping). A destroyed or unknown VM is `not_found`.
   */
  async status(ref: ProviderRef): Promise<VmStatus> {
    const vm = await this.client.findVm(vmOf(ref).vmId);
    if (!vm || vm.status === "destroyed") throw new ProviderError("not_found", `Nova VM ${vmOf(ref).vmId} no longer exists`);
    const state = vm.status === "running" ? "running" : vm.status === "stopped" ? "stopped" : vm.status === "interrupted" ? "interrupted" : vm.status === "stopping" ? "running" : "unknown";
    const transitional = ["creating", "starting", "stopping"].includes(vm.status);
    return {
      state,
      ...(transitional ? { lock: vm.status } : {}),
      ...(vm.cpuCores !== undefined ? { cpus: vm.cpuCores } : {}),
      ...(vm.ramGb !== undefined ? { memoryMb: Math.round(vm.ramGb * 1024) } : {}),
      ...(vm.storageGb !== undefined ? { diskGb: vm.storageGb } : {}),
    };
  }

  async addresses(ref: ProviderRef): Promise<string[]> {
    const vm = await this.client.findVm(vmOf(ref).vmId).catch(() => null);
    return vm?.ipAddress ? [vm.ipAddress] : [];
  }

  async listVms(): Promise<ProviderVm[]> {
    const vms = await listAllVms(this.client);
    return vms
      .filter((v) => v.status !== "destroyed")
      .map((v) => ({
        ref: novaVmRef(v.id, v.node),
        name: v.instanceLabel ?? (v.vmid !== undefined ? `vm-${v.vmid}` : v.id),
        status: v.status,
        size: { cpuCores: v.cpuCores, memoryMb: v.ramGb === undefined ? undefined : Math.round(v.ramGb * 1024), diskGb: v.storageGb },
      }));
  }

  /**
   * Nova's price of a request before commit (keys: QUOTE_KEYS of lib/providers/types.ts,
   * decimal strings): for a reservation Nova's own `POST /reservations/calculate`, else (and when
   * that cannot answer) the rules of lib/pricing/rental.ts with Nova's rates. Without a GPU in
   * the request, the default offer the precheck would take.
   */
  async quote(request: CreateRequest): Promise<Record<QuoteKey, string | null>> {
    const options = this.optionsOf(request);
    const wanted = this.wantedGpu(request, options);
    const { offers, pricing } = await this.catalogue();
    const gpuType = wanted.gpuType ?? offers.find((o) => (!options.target || o.node === options.target) && fits(o, wanted.gpuCount ?? 1))?.gpuType ?? offers[0]?.gpuType;
    if (!gpuType) throw new NovaError("sold_out", "Nova Cloud offers no GPU now");
    const q = await quoteNovaRental(
      this.client,
      { gpuType, gpuCount: wanted.gpuCount ?? 1, storageGb: Math.max(request.size.diskGb, NOVA_MIN_STORAGE_GB), choice: choiceOf(request.rental), node: options.target, storageGbHourly: this.storageGbHourly() },
      { offers, pricing },
    );
    return quoteFields(q, pricing?.currency ?? "USD");
  }
}

/** A rental quote as the flat decimal strings of QUOTE_KEYS. */
export function quoteFields(q: RentalQuote, currency: string): Record<QuoteKey, string | null> {
  const j = quoteToJson(q) as { reserved?: Record<string, string>; interruptible?: Record<string, string> };
  const s = (v: { toString(): string } | undefined) => (v === undefined ? null : v.toString());
  return {
    currency,
    gpuHourly: s(q.hourly.gpu),
    storageHourly: s(q.hourly.storage),
    totalHourly: s(q.hourly.total),
    onDemandHourly: s(q.onDemandHourly.total),
    monthly: s(q.monthly),
    commitment: s(q.commitment),
    discountPercent: j.reserved?.discountPercent ?? null,
    deposit: j.reserved?.deposit ?? null,
    monthlyCost: j.reserved?.monthlyCost ?? null,
    cancellationFee: j.reserved?.cancellationFee ?? null,
    termCost: j.reserved?.termCost ?? null,
    source: j.reserved?.source ?? null,
    savingHourly: j.interruptible?.savingHourly ?? null,
    savingPercent: j.interruptible?.savingPercent ?? null,
    savingMonthly: j.interruptible?.savingMonthly ?? null,
    warning: j.interruptible?.warning ?? null,
  };
}
