import { randomUUID } from "node:crypto";
import Decimal from "decimal.js";
import { parseSshPublicKey } from "../ssh-key";
import type { SimDurations, SimGpuType, SimNode, SimTemplate } from "./types";

/** A refusal as Nova words it: HTTP status and FastAPI `detail` (a string, or a 422 list). */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
}

export const HOURS_PER_MONTH = 730;
const MAX_SSH_KEYS = 5;

export type SimVm = {
  id: string;
  vmid: number;
  node: string;
  instance_label: string | null;
  gpu_type: string;
  gpu_count: number;
  storage_gb: number;
  ram_gb: number;
  cpu_cores: number;
  ip_address: string | null;
  status: string;
  created_at: string;
  started_at: string | null;
  stopped_at: string | null;
  rental_type: "on_demand" | "reserved" | "interruptible";
  reservation_id: string | null;
  auto_restart: boolean | null;
  hourly_rate: Decimal;
  gpu_hourly_rate: Decimal;
  storage_hourly_rate: Decimal;
  template_vmid: number;
  auth_method: string;
  ssh_key_id: string | null;
  /** ms of the clock up to which this VM has been billed */
  billedTo: number;
  /** true while the GPUs are held (creating, starting, running, stopping) */
  holdsGpus: boolean;
};

export type SimSshKey = { id: string; label: string; key_type: string; fingerprint: string; created_at: string; public_key: string };
export type SimReservation = { id: string; vm_id: string; gpu_type: string; gpu_count: number; storage_gb: number; months: number; monthly_cost: Decimal; deposit: Decimal; starts_at: string; ends_at: string };

export type CreateBody = {
  node: string;
  gpu_type: string;
  gpu_count: number;
  storage_gb: number;
  template_vmid: number;
  rental_type: "on_demand" | "reserved" | "interruptible";
  reservation_months?: number;
  auth_method: "ssh_key" | "password";
  ssh_key_id?: string;
  password?: string;
};

const usd = (d: Decimal) => `$${d.toFixed(2)}`;

/**
 * One Nova account and the cloud around it: nodes with GPUs (some used by other customers),
 * prices, a prepaid balance billed by the minute (GPU while running, storage until destroyed),
 * SSH keys (at most 5), reservations and VMs whose status advances on timers.
 */
export class NovaSimState {
  balance: Decimal;
  readonly vms = new Map<string, SimVm>();
  readonly sshKeys: SimSshKey[] = [];
  readonly reservations = new Map<string, SimReservation>();
  /** GPUs busy with other customers, by `node/type`. */
  readonly externalUse = new Map<string, number>();
  /** Stop running VMs when the balance is used up (the docs hint at it; off by default). */
  stopAtZeroBalance = false;
  private nextVmid = 1000;
  private nextIp = 10;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly gpuTypes: SimGpuType[],
    readonly nodes: SimNode[],
    readonly templates: SimTemplate[],
    readonly storageGbHourly: Decimal,
    balance: string,
    readonly currency: string,
    readonly durations: SimDurations,
    readonly reservationDiscountPercent: Record<1 | 3 | 6, string>,
    readonly clock: () => number,
    private readonly nextOutcome: () => "failed" | "offline" | undefined,
  ) {
    this.balance = new Decimal(balance);
  }

  gpuType(type: string): SimGpuType | undefined {
    return this.gpuTypes.find((g) => g.type === type);
  }

  /** GPUs of a type free now on a node. */
  freeGpus(node: string, type: string): number {
    const n = this.nodes.find((x) => x.id === node);
    const total = n?.gpus[type] ?? 0;
    let used = this.externalUse.get(`${node}/${type}`) ?? 0;
    for (const vm of this.vms.values()) if (vm.node === node && vm.gpu_type === type && vm.holdsGpus) used += vm.gpu_count;
    return Math.max(0, total - used);
  }

  // ------------------------------------------------------------------ billing

  /** Charges every VM up to now: GPU (and its share) while it holds GPUs and runs, storage until destroyed. */
  bill(): void {
    const now = this.clock();
    for (const vm of this.vms.values()) {
      if (vm.status === "destroyed") continue;
      const hours = new Decimal(Math.max(0, now - vm.billedTo)).div(3_600_000);
      vm.billedTo = now;
      const gpuBilled = vm.status === "running" || vm.status === "stopping";
      const rate = gpuBilled ? vm.hourly_rate : vm.storage_hourly_rate;
      this.balance = this.balance.minus(rate.times(hours));
    }
    if (this.stopAtZeroBalance && this.balance.lessThanOrEqualTo(0)) {
      for (const vm of this.vms.values()) {
        if (!vm.holdsGpus || vm.status === "destroyed") continue;
        vm.status = "stopped";
        vm.holdsGpus = false;
        vm.stopped_at = new Date(now).toISOString();
      }
    }
  }

  private requireFunds(required: Decimal): void {
    this.bill();
    if (this.balance.lessThan(required)) {
      throw new SimHttpError(402, `Insufficient balance. Required: ${usd(required)}, Available: ${usd(Decimal.max(this.balance, 0))}`);
    }
  }

  // ------------------------------------------------------------------ prices

  rates(gpuType: SimGpuType, count: number, storageGb: number, rentalType: string, months?: number): { gpu: Decimal; storage: Decimal; total: Decimal } {
    let gpu = new Decimal(rentalType === "interruptible" ? gpuType.interruptibleHourly : gpuType.hourly).times(count);
    let storage = this.storageGbHourly.times(storageGb);
    if (rentalType === "reserved" && months) {
      const keep = new Decimal(100).minus(this.reservationDiscountPercent[months as 1 | 3 | 6]).div(100);
      gpu = gpu.times(keep);
      storage = storage.times(keep);
    }
    return { gpu, storage, total: gpu.plus(storage) };
  }

  calculateReservation(gpuTypeName: string, count: number, storageGb: number, months: number) {
    const gpuType = this.gpuType(gpuTypeName);
    if (!gpuType) throw new SimHttpError(400, `Invalid GPU type: ${gpuTypeName}`);
    const discount = this.reservationDiscountPercent[months as 1 | 3 | 6];
    const rates = this.rates(gpuType, count, storageGb, "reserved", months);
    const monthly = rates.total.times(HOURS_PER_MONTH).toDecimalPlaces(2);
    return {
      discount_percent: Number(discount),
      deposit_required: monthly,
      monthly_cost: monthly,
      hourly_rate_after_discount: rates.total.toDecimalPlaces(4),
      cancellation_fee_25_percent: monthly.times(months).times("0.25").toDecimalPlaces(2),
    };
  }

  // ------------------------------------------------------------------ SSH keys

  addSshKey(publicKey: string, label: string | undefined): SimSshKey {
    let parsed;
    try {
      parsed = parseSshPublicKey(publicKey);
    } catch (error) {
      throw new SimHttpError(400, `Invalid SSH public key: ${(error as Error).message}`);
    }
    if (this.sshKeys.some((k) => k.fingerprint === parsed.fingerprint)) throw new SimHttpError(409, "This SSH key has already been uploaded");
    if (this.sshKeys.length >= MAX_SSH_KEYS) throw new SimHttpError(400, `Maximum of ${MAX_SSH_KEYS} SSH keys allowed. Please delete an existing key first.`);
    const key: SimSshKey = { id: randomUUID(), label: label ?? "Default SSH Key", key_type: parsed.type, fingerprint: parsed.fingerprint, created_at: new Date(this.clock()).toISOString(), public_key: publicKey.trim() };
    this.sshKeys.push(key);
    return key;
  }

  // ------------------------------------------------------------------ VMs

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private setStatus(vm: SimVm, status: string): void {
    this.bill();
    vm.status = status;
  }

  private boot(vm: SimVm, viaStarting: boolean): void {
    const run = () => {
      if (vm.status !== "starting") return;
      const outcome = this.nextOutcome();
      if (outcome) {
        this.setStatus(vm, outcome);
        if (outcome === "failed") vm.holdsGpus = false;
        return;
      }
      this.setStatus(vm, "running");
      vm.ip_address ??= `203.0.113.${this.nextIp++ % 250}`;
      vm.started_at = new Date(this.clock()).toISOString();
    };
    if (viaStarting) {
      this.later(this.durations.creatingMs, () => {
        if (vm.status !== "creating") return;
        this.setStatus(vm, "starting");
        this.later(this.durations.startingMs, run);
      });
    } else {
      this.setStatus(vm, "starting");
      this.later(this.durations.startingMs, run);
    }
  }

  createVm(body: CreateBody): SimVm {
    const node = this.nodes.find((n) => n.id === body.node);
    if (!node) throw new SimHttpError(404, `Node ${body.node} not found`);
    const gpuType = this.gpuType(body.gpu_type);
    if (!gpuType) throw new SimHttpError(400, `Invalid GPU type: ${body.gpu_type}`);
    if (![1, 2, 4, 8].includes(body.gpu_count)) throw new SimHttpError(400, "gpu_count must be 1, 2, 4, or 8");
    if (!this.templates.some((t) => t.vmid === body.template_vmid)) throw new SimHttpError(404, `Template ${body.template_vmid} not found`);
    if (body.rental_type === "reserved" && body.reservation_months === undefined) throw new SimHttpError(400, "reservation_months is required when rental_type is reserved");
    if (body.auth_method === "password" && !body.password) throw new SimHttpError(400, "password is required when auth_method is password");
    let sshKeyId: string | null = null;
    if (body.auth_method === "ssh_key") {
      if (body.ssh_key_id) {
        if (!this.sshKeys.some((k) => k.id === body.ssh_key_id)) throw new SimHttpError(404, "SSH key not found");
        sshKeyId = body.ssh_key_id;
      } else {
        const oldest = this.sshKeys[0];
        if (!oldest) throw new SimHttpError(400, "No SSH key found. Please upload an SSH key first.");
        sshKeyId = oldest.id;
      }
    }
    const free = this.freeGpus(node.id, gpuType.type);
    if (free < body.gpu_count) throw new SimHttpError(400, `No available GPUs: ${body.gpu_count}x ${gpuType.type} requested on ${node.id}, ${free} free`);

    const rates = this.rates(gpuType, body.gpu_count, body.storage_gb, body.rental_type, body.reservation_months);
    let reservation: SimReservation | undefined;
    const id = randomUUID();
    if (body.rental_type === "reserved") {
      const quote = this.calculateReservation(gpuType.type, body.gpu_count, body.storage_gb, body.reservation_months as number);
      this.requireFunds(quote.deposit_required);
      this.balance = this.balance.minus(quote.deposit_required);
      const starts = new Date(this.clock());
      const ends = new Date(starts);
      ends.setUTCMonth(ends.getUTCMonth() + (body.reservation_months as number));
      reservation = {
        id: randomUUID(),
        vm_id: id,
        gpu_type: gpuType.type,
        gpu_count: body.gpu_count,
        storage_gb: body.storage_gb,
        months: body.reservation_months as number,
        monthly_cost: quote.monthly_cost,
        deposit: quote.deposit_required,
        starts_at: starts.toISOString(),
        ends_at: ends.toISOString(),
      };
      this.reservations.set(reservation.id, reservation);
    } else {
      // One hour of the machine must be covered (the simulator's rule; Nova's is unknown).
      this.requireFunds(rates.total.toDecimalPlaces(2, Decimal.ROUND_UP));
    }
    const vm: SimVm = {
      id,
      vmid: this.nextVmid++,
      node: node.id,
      instance_label: null,
      gpu_type: gpuType.type,
      gpu_count: body.gpu_count,
      storage_gb: body.storage_gb,
      ram_gb: gpuType.ramGbPerGpu * body.gpu_count,
      cpu_cores: gpuType.cpuCoresPerGpu * body.gpu_count,
      ip_address: null,
      status: "creating",
      created_at: new Date(this.clock()).toISOString(),
      started_at: null,
      stopped_at: null,
      rental_type: body.rental_type,
      reservation_id: reservation?.id ?? null,
      auto_restart: body.rental_type === "interruptible" ? false : null,
      hourly_rate: rates.total,
      gpu_hourly_rate: rates.gpu,
      storage_hourly_rate: rates.storage,
      template_vmid: body.template_vmid,
      auth_method: body.auth_method,
      ssh_key_id: sshKeyId,
      billedTo: this.clock(),
      holdsGpus: true,
    };
    this.vms.set(id, vm);
    this.boot(vm, true);
    return vm;
  }

  private vm(id: string): SimVm {
    const vm = this.vms.get(id);
    if (!vm) throw new SimHttpError(404, "VM not found");
    return vm;
  }

  getVm(id: string): SimVm {
    this.bill();
    return this.vm(id);
  }

  start(id: string): SimVm {
    const vm = this.vm(id);
    if (vm.status === "running" || vm.status === "starting" || vm.status === "creating") return vm;
    if (vm.status !== "stopped" && vm.status !== "interrupted" && vm.status !== "offline") throw new SimHttpError(400, `Cannot start a VM that is ${vm.status}`);
    if (this.freeGpus(vm.node, vm.gpu_type) < vm.gpu_count) throw new SimHttpError(400, `No available GPUs: ${vm.gpu_count}x ${vm.gpu_type} needed on ${vm.node}`);
    this.requireFunds(vm.hourly_rate.toDecimalPlaces(2, Decimal.ROUND_UP));
    vm.holdsGpus = true;
    vm.stopped_at = null;
    this.boot(vm, false);
    return vm;
  }

  stop(id: string): SimVm {
    const vm = this.vm(id);
    if (vm.status === "stopped" || vm.status === "stopping") return vm;
    if (vm.status !== "running" && vm.status !== "starting" && vm.status !== "offline") throw new SimHttpError(400, `Cannot stop a VM that is ${vm.status}`);
    this.setStatus(vm, "stopping");
    this.later(this.durations.stoppingMs, () => {
      if (vm.status !== "stopping") return;
      this.setStatus(vm, "stopped");
      vm.holdsGpus = false;
      vm.stopped_at = new Date(this.clock()).toISOString();
    });
    return vm;
  }

  restart(id: string): SimVm {
    const vm = this.vm(id);
    if (vm.status !== "running") throw new SimHttpError(400, `Cannot restart a VM that is ${vm.status}`);
    this.boot(vm, false);
    return vm;
  }

  destroy(id: string): void {
    const vm = this.vm(id);
    if (vm.status === "destroyed") throw new SimHttpError(404, "VM not found");
    this.setStatus(vm, "destroyed");
    vm.holdsGpus = false;
    vm.ip_address = null;
    vm.stopped_at ??= new Date(this.clock()).toISOString();
    this.later(this.durations.purgeMs, () => this.vms.delete(vm.id));
  }

  /** Preempts an interruptible VM, as when an on-demand customer needs its GPU. */
  interrupt(id: string): SimVm {
    const vm = this.vm(id);
    if (vm.rental_type !== "interruptible") throw new SimHttpError(400, `VM ${id} is ${vm.rental_type}, not interruptible`);
    if (vm.status !== "running" && vm.status !== "starting") throw new SimHttpError(400, `VM ${id} is ${vm.status}, not running`);
    this.setStatus(vm, "interrupted");
    vm.holdsGpus = false;
    vm.stopped_at = new Date(this.clock()).toISOString();
    return vm;
  }

  /**
   * An on-demand customer takes `count` more GPUs of a type on a node (as other customers'
   * use): when too few are free, running interruptible rentals there are interrupted, newest
   * first, until enough are (as Nova preempts them). Returns the ids of the interrupted VMs.
   */
  claimGpus(node: string, type: string, count: number): string[] {
    const key = `${node}/${type}`;
    const interrupted: string[] = [];
    const candidates = [...this.vms.values()]
      .filter((v) => v.node === node && v.gpu_type === type && v.rental_type === "interruptible" && v.holdsGpus && (v.status === "running" || v.status === "starting"))
      .reverse();
    while (this.freeGpus(node, type) < count && candidates.length > 0) interrupted.push(this.interrupt((candidates.shift() as SimVm).id).id);
    this.externalUse.set(key, (this.externalUse.get(key) ?? 0) + Math.min(count, this.freeGpus(node, type)));
    return interrupted;
  }

  /** Ends all pending status changes (the server stops). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** The VM object as Nova sends it. */
export function vmJson(vm: SimVm): Record<string, unknown> {
  const { billedTo: _b, holdsGpus: _h, template_vmid: _t, auth_method: _a, ssh_key_id: _s, hourly_rate, gpu_hourly_rate, storage_hourly_rate, ...rest } = vm;
  return {
    ...rest,
    user_id: 1,
    hourly_rate: Number(hourly_rate.toDecimalPlaces(6)),
    gpu_hourly_rate: Number(gpu_hourly_rate.toDecimalPlaces(6)),
    storage_hourly_rate: Number(storage_hourly_rate.toDecimalPlaces(6)),
    cpu_percent: vm.status === "running" ? 3.5 : 0,
    ram_percent: vm.status === "running" ? 12.5 : 0,
    cpu_model: "AMD EPYC 9354",
    pcie_gen: "4.0",
  };
}
