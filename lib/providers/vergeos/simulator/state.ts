/**
 * The simulated VergeOS system: tables keyed by number, with VM keys, machine keys and
 * machine-status keys drawn from separate ranges so they never coincide (a client that mixes
 * them up gets 404s). Sizes in bytes, RAM in MB, as on the wire.
 */
import { randomBytes, randomUUID } from "node:crypto";

export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type SimCluster = { $key: number; name: string; description: string; max_ram_per_vm: number; max_cores_per_vm: number };
export type SimVnet = { $key: number; name: string; type: string; network: string };
export type SimTier = { $key: number; tier: number; description: string; capacity: number; used: number };
export type SimFile = { $key: number; name: string; type: string; filesize: number };
export type SimResourceGroup = { $key: number; uuid: string; name: string; description: string; type: string; class: string; enabled: boolean; devices: number };
export type SimVgpuDevice = { $key: number; node: number; name: string; slot: string; max_instances: number };
export type SimVm = {
  $key: number;
  name: string;
  description: string;
  cluster: number;
  cpu_cores: number;
  ram: number;
  machine: number;
  is_snapshot: boolean;
  guest_agent: boolean;
  uefi: boolean;
  video: string;
  cloudinit_datasource: string;
  cloudinit_files: { name: string; contents: string }[];
  created: number;
};
export type SimStatus = {
  $key: number;
  machine: number;
  status: string;
  status_info: string;
  state: string;
  running: boolean;
  powerstate: boolean;
  node: string | null;
  started: number | null;
  agent_guest_info: unknown;
};
export type SimDrive = { $key: number; machine: number; name: string; media: string; interface: string; disksize: number; preferred_tier: string; media_source: number | null };
export type SimNic = { $key: number; machine: number; vnet: number; name: string; interface: string; macaddress: string; ipaddress: string };
export type SimDevice = { $key: number; machine: number; resource_group: string; uuid: string; name: string; settings_args: Record<string, unknown> };

export type SimSeed = {
  clusters?: Omit<SimCluster, "$key">[];
  vnets?: Omit<SimVnet, "$key">[];
  /** capacity and used in bytes */
  tiers?: Omit<SimTier, "$key">[];
  files?: Omit<SimFile, "$key">[];
  resourceGroups?: (Omit<SimResourceGroup, "$key" | "uuid"> & { uuid?: string })[];
  vgpuDevices?: Omit<SimVgpuDevice, "$key">[];
  /** Snapshot rows in `vms` (is_snapshot true), to check clients filter them out. */
  snapshotNames?: string[];
};

export const DRIVE_INTERFACES = new Set(["virtio-scsi", "virtio", "ide", "ahci", "nvme", "virtio-scsi-dedicated", "lsi53c895a", "megasas", "megasas-gen2", "usb"]);
export const DRIVE_MEDIA = new Set(["disk", "cdrom", "import", "clone", "efidisk", "nonpersistent"]);
export const NIC_INTERFACES = new Set(["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3"]);

/** Key ranges: VMs 36.., machines 1054.., status rows 7001.. (never equal to each other). */
export const FIRST_KEYS = { vm: 36, machine: 1054, status: 7001, drive: 300, nic: 500, device: 2 };

export class SimState {
  clusters = new Map<number, SimCluster>();
  vnets = new Map<number, SimVnet>();
  tiers = new Map<number, SimTier>();
  files = new Map<number, SimFile>();
  resourceGroups = new Map<number, SimResourceGroup>();
  vgpuDevices = new Map<number, SimVgpuDevice>();
  vms = new Map<number, SimVm>();
  status = new Map<number, SimStatus>();
  drives = new Map<number, SimDrive>();
  nics = new Map<number, SimNic>();
  devices = new Map<number, SimDevice>();
  private next = { ...FIRST_KEYS };

  constructor(seed: SimSeed) {
    let k = 1;
    for (const c of seed.clusters ?? []) this.clusters.set(k, { $key: k++, ...c });
    k = 1;
    for (const v of seed.vnets ?? []) this.vnets.set(k, { $key: k++, ...v });
    k = 1;
    for (const t of seed.tiers ?? []) this.tiers.set(k, { $key: k++, ...t });
    k = 7;
    for (const f of seed.files ?? []) this.files.set(k, { $key: k++, ...f });
    k = 1;
    for (const g of seed.resourceGroups ?? []) this.resourceGroups.set(k, { $key: k++, ...g, uuid: g.uuid ?? randomUUID() });
    k = 1;
    for (const d of seed.vgpuDevices ?? []) this.vgpuDevices.set(k, { $key: k++, ...d });
    for (const name of seed.snapshotNames ?? []) {
      const vm = this.addVm({ name, cluster: this.clusters.keys().next().value ?? 1, cpu_cores: 1, ram: 1024 });
      vm.is_snapshot = true;
    }
  }

  key(kind: keyof typeof FIRST_KEYS): number {
    return this.next[kind]++;
  }

  tierByNumber(n: number): SimTier | undefined {
    return [...this.tiers.values()].find((t) => t.tier === n);
  }

  vmByMachine(machine: number): SimVm | undefined {
    return [...this.vms.values()].find((v) => v.machine === machine);
  }

  statusOf(machine: number): SimStatus | undefined {
    return [...this.status.values()].find((s) => s.machine === machine);
  }

  addVm(fields: { name: string; cluster: number; cpu_cores: number; ram: number } & Partial<SimVm>): SimVm {
    const key = this.key("vm");
    const machine = this.key("machine");
    const vm: SimVm = {
      description: "",
      guest_agent: false,
      uefi: false,
      video: "std",
      cloudinit_datasource: "none",
      cloudinit_files: [],
      is_snapshot: false,
      created: Math.floor(Date.now() / 1000),
      ...fields,
      $key: key,
      machine,
    };
    this.vms.set(key, vm);
    const sk = this.key("status");
    this.status.set(sk, { $key: sk, machine, status: "stopped", status_info: "", state: "offline", running: false, powerstate: false, node: null, started: null, agent_guest_info: null });
    return vm;
  }

  /** Takes bytes from a tier; 507 when it does not fit. */
  allocate(tierNumber: number, bytes: number): void {
    const tier = this.tierByNumber(tierNumber);
    if (!tier) throw new SimError(404, `Storage tier ${tierNumber} not found`);
    if (tier.used + bytes > tier.capacity) {
      throw new SimError(507, `Insufficient storage on tier ${tierNumber}: ${bytes} bytes requested, ${Math.max(0, tier.capacity - tier.used)} bytes free`);
    }
    tier.used += bytes;
  }

  release(tierNumber: number, bytes: number): void {
    const tier = this.tierByNumber(tierNumber);
    if (tier) tier.used = Math.max(0, tier.used - bytes);
  }

  /** Devices of the group in use by running machines. */
  groupInUse(uuid: string): number {
    return [...this.devices.values()].filter((d) => d.resource_group === uuid && this.statusOf(d.machine)?.running).length;
  }

  mac(): string {
    return `00:18:3e:${randomBytes(3).toString("hex").match(/../g)?.join(":") ?? "00:00:00"}`;
  }

  deleteVm(vm: SimVm): void {
    for (const [k, d] of this.drives) if (d.machine === vm.machine) {
      this.release(Number(d.preferred_tier), d.disksize);
      this.drives.delete(k);
    }
    for (const [k, n] of this.nics) if (n.machine === vm.machine) this.nics.delete(k);
    for (const [k, d] of this.devices) if (d.machine === vm.machine) this.devices.delete(k);
    for (const [k, s] of this.status) if (s.machine === vm.machine) this.status.delete(k);
    this.vms.delete(vm.$key);
  }
}
