/**
 * The simulated cluster: nodes, storages with their volumes, and VM configs stored the way
 * qemu-server stores them (string values, a [PENDING] section, a SHA-1 digest of the file).
 */
import { die } from "./errors";
import type { PveTaskType, PveVersion, SimNodeSpec, SimPciMappingSpec, SimStorageSpec, SimStorageType, SimTemplateSpec, SimVmSpec } from "./types";
import { GiB, MiB, formatSize, hash32, macFor, parseSize, sha1Hex, uuidFor } from "./util";

export type SimNode = {
  name: string;
  index: number;
  cpus: number;
  memoryBytes: number;
  online: boolean;
  /** ms since epoch */
  bootTime: number;
  pidCounter: number;
};

export type SimVolume = {
  volid: string;
  volname: string;
  storage: SimStorage;
  vmid: number;
  sizeBytes: number;
  format: "raw" | "qcow2";
};

export type SimStorage = {
  id: string;
  type: SimStorageType;
  content: string[];
  shared: boolean;
  enabled: boolean;
  totalBytes: number;
  /** nodes where it is configured */
  nodes: string[];
  /** path of file-based storages */
  path?: string;
  /** position in storage.cfg */
  order: number;
  volumes: Map<string, SimVolume>;
};

export type SimVm = {
  vmid: number;
  node: string;
  /** the config file's values (as strings) */
  config: Record<string, string>;
  /** [PENDING] section */
  pending: Record<string, string>;
  pendingDelete: string[];
  running: boolean;
  /** ms since epoch */
  startedAt?: number;
  agentReadyAt?: number;
  pid?: number;
  pool?: string;
  /** per-VM counter for MACs */
  macSeq: number;
  /** ms since epoch */
  createdAt: number;
  /** while running: the host PCI devices it holds (`hostpciN` → node-local path, and the mapping it came from) */
  pciDevices?: { key: string; path: string; mapping?: string }[];
};

/** A PCI mapping as pmxcfs stores it: its id, description and one property string per device (`node=…,path=…,id=…`). */
export type SimPciMapping = { id: string; description?: string; map: string[] };

const FILE_TYPES: SimStorageType[] = ["dir", "nfs", "cifs"];
export const isFileStorage = (s: SimStorage) => FILE_TYPES.includes(s.type);

const DEFAULT_CONTENT: Record<SimStorageType, string[]> = {
  dir: ["iso", "vztmpl", "backup"],
  lvmthin: ["images", "rootdir"],
  lvm: ["images", "rootdir"],
  zfspool: ["images", "rootdir"],
  rbd: ["images", "rootdir"],
  nfs: ["images", "iso", "backup"],
  cifs: ["images", "iso", "backup"],
};

export const DEFAULT_STORAGES: SimStorageSpec[] = [
  { storage: "local", type: "dir", content: ["iso", "vztmpl", "backup"], totalGb: 100 },
  { storage: "local-lvm", type: "lvmthin", content: ["images", "rootdir"], totalGb: 800 },
  { storage: "NFS", type: "nfs", content: ["images", "iso", "backup"], shared: true, totalGb: 4096 },
];

export const DEFAULT_DURATIONS: Record<PveTaskType, number> = {
  qmclone: 1500,
  qmcreate: 1000,
  qmconfig: 200,
  resize: 400,
  qmstart: 800,
  qmstop: 300,
  qmshutdown: 1200,
  qmreboot: 1500,
  qmdestroy: 500,
};

export const DISK_KEY_RE = /^(ide\d+|sata\d+|scsi\d+|virtio\d+|efidisk0|tpmstate0|unused\d+)$/;

export type ParsedDrive = { file: string; opts: [string, string][] };

/** `volid,key=value,...` (the volume may also be given as file= or volume=) */
export function parseDrive(value: string): ParsedDrive {
  let file = "";
  const opts: [string, string][] = [];
  for (const part of value.split(",")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) file = part;
    else {
      const k = part.slice(0, eq);
      const v = part.slice(eq + 1);
      if (k === "file" || k === "volume") file = v;
      else opts.push([k, v]);
    }
  }
  return { file, opts };
}

export function printDrive(d: ParsedDrive): string {
  return [d.file, ...d.opts.map(([k, v]) => `${k}=${v}`)].join(",");
}

export function driveOpt(d: ParsedDrive, key: string): string | undefined {
  return d.opts.find(([k]) => k === key)?.[1];
}

export function setDriveOpt(d: ParsedDrive, key: string, value: string | undefined): void {
  const i = d.opts.findIndex(([k]) => k === key);
  if (value === undefined) {
    if (i >= 0) d.opts.splice(i, 1);
  } else if (i >= 0) d.opts[i] = [key, value];
  else d.opts.push([key, value]);
}

export function isCloudinitVolume(file: string): boolean {
  return /(^|[:/])vm-\d+-cloudinit(\.\w+)?$/.test(file);
}

/** drive_is_cdrom (cloud-init drives count as CD-ROMs) */
export function driveIsCdrom(d: ParsedDrive): boolean {
  return d.file === "cdrom" || d.file === "none" || driveOpt(d, "media") === "cdrom";
}

/** get_current_memory */
export function currentMemoryMb(value: string | undefined): number {
  if (value === undefined || value === "") return 512;
  const m = /^(?:current=)?(\d+)$/.exec(value) ?? /(?:^|,)current=(\d+)/.exec(value);
  return m ? Number(m[1]) : 512;
}

export class ClusterState {
  readonly nodes = new Map<string, SimNode>();
  /** key: id for shared storages, "node/id" for local ones */
  readonly storages = new Map<string, SimStorage>();
  readonly vms = new Map<number, SimVm>();
  readonly pools = new Set<string>();
  readonly poolMembers = new Map<string, Set<number>>();
  readonly pciMappings = new Map<string, SimPciMapping>();

  constructor(
    readonly version: PveVersion,
    private readonly clock: () => number,
  ) {}

  // ------------------------------------------------------------------ setup

  addNodes(specs: SimNodeSpec[]): void {
    const now = this.clock();
    specs.forEach((spec, index) => {
      const s = typeof spec === "string" ? { name: spec } : spec;
      this.nodes.set(s.name, {
        name: s.name,
        index,
        cpus: s.cpus ?? 32,
        memoryBytes: (s.memoryMb ?? 128 * 1024) * MiB,
        online: s.online ?? true,
        // booted a few days ago, nodes at different times
        bootTime: now - (6 * 86400 + index * 13 * 3600 + 1234) * 1000,
        pidCounter: 0x93400 + index * 0x11000 + (hash32(s.name) & 0xfff),
      });
    });
  }

  addStorages(specs: SimStorageSpec[] | Record<string, SimStorageSpec[]>): void {
    for (const node of this.nodes.values()) {
      const list = Array.isArray(specs) ? specs : (specs[node.name] ?? []);
      for (const [order, spec] of list.entries()) {
        const shared = spec.shared ?? ["nfs", "cifs", "rbd"].includes(spec.type);
        const key = shared ? spec.storage : `${node.name}/${spec.storage}`;
        const existing = this.storages.get(key);
        if (existing) {
          if (!existing.nodes.includes(node.name)) existing.nodes.push(node.name);
          continue;
        }
        this.storages.set(key, {
          id: spec.storage,
          type: spec.type,
          content: spec.content ?? DEFAULT_CONTENT[spec.type],
          shared,
          enabled: spec.enabled ?? true,
          totalBytes: (spec.totalGb ?? 500) * GiB,
          nodes: [node.name],
          path: spec.type === "dir" ? (spec.storage === "local" ? "/var/lib/vz" : `/mnt/${spec.storage}`) : FILE_TYPES.includes(spec.type) ? `/mnt/pve/${spec.storage}` : undefined,
          volumes: new Map(),
          order,
        });
      }
    }
  }

  addPciMappings(specs: SimPciMappingSpec[]): void {
    for (const m of specs) {
      const map = m.devices.map((d) =>
        [`node=${d.node}`, `path=${d.path}`, `id=${d.id}`, d.iommugroup !== undefined ? `iommugroup=${d.iommugroup}` : "", d.subsystemId ? `subsystem-id=${d.subsystemId}` : "", d.description ? `description=${d.description}` : ""]
          .filter(Boolean)
          .join(","),
      );
      this.pciMappings.set(m.id, { id: m.id, ...(m.description ? { description: m.description } : {}), map });
    }
  }

  /** The device entries of a mapping on one node (PVE::Mapping::PCI::find_on_current_node), each as its `key=value` pairs. */
  pciMappingOn(id: string, node: string): Record<string, string>[] {
    const m = this.pciMappings.get(id);
    if (!m) return [];
    return m.map
      .map((entry) => Object.fromEntries(entry.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])) as Record<string, string>)
      .filter((e) => e.node === node);
  }

  /** PCI paths held by running VMs on `node`, with the VMID holding each. */
  pciInUse(node: string): Map<string, number> {
    const used = new Map<string, number>();
    for (const vm of this.vms.values()) if (vm.running && vm.node === node) for (const d of vm.pciDevices ?? []) used.set(d.path, vm.vmid);
    return used;
  }

  // ------------------------------------------------------------------ lookups

  nextPid(nodeName: string): number {
    const node = this.nodes.get(nodeName);
    if (!node) return 0x1000;
    node.pidCounter += 7 + (node.pidCounter % 13);
    return node.pidCounter;
  }

  /** storage_config: any node */
  storageConfigured(id: string): boolean {
    return [...this.storages.values()].some((s) => s.id === id);
  }

  /** The storage `id` as seen from `node` (undefined if not configured there). */
  storageOn(node: string, id: string): SimStorage | undefined {
    return this.storages.get(`${node}/${id}`) ?? [...this.storages.values()].find((s) => s.shared && s.id === id && s.nodes.includes(node));
  }

  storagesOn(node: string): SimStorage[] {
    return [...this.storages.values()].filter((s) => s.nodes.includes(node)).sort((a, b) => a.order - b.order);
  }

  /** storage_check_enabled (+ storage_check_node) */
  checkStorageEnabled(id: string, node: string): SimStorage {
    if (!this.storageConfigured(id)) die(`storage '${id}' does not exist`);
    const s = this.storageOn(node, id);
    if (!s) die(`storage '${id}' is not available on node '${node}'`);
    if (!s.enabled) die(`storage '${id}' is disabled`);
    return s;
  }

  usedBytes(s: SimStorage): number {
    let used = 0;
    for (const v of s.volumes.values()) used += s.type === "lvmthin" ? Math.floor(v.sizeBytes * 0.18) : v.sizeBytes;
    return used;
  }

  /** volid -> volume, resolved from `node` */
  volume(node: string, volid: string): SimVolume | undefined {
    const m = /^([^:]+):(.+)$/.exec(volid);
    if (!m) return undefined;
    return this.storageOn(node, m[1] as string)?.volumes.get(m[2] as string);
  }

  /** The VM's config file on `node` (load_config). */
  loadConfig(node: string, vmid: number): SimVm {
    const vm = this.vms.get(vmid);
    if (!vm || vm.node !== node) die(`Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
    return vm;
  }

  // ------------------------------------------------------------------ volumes

  /** find_free_diskname: the first n with neither vm-<vmid>-disk-<n> nor base-<vmid>-disk-<n> on the storage */
  private freeDiskNumber(s: SimStorage, vmid: number): number {
    const names = new Set([...s.volumes.keys()].map((k) => (k.split("/").pop() as string).replace(/\.(raw|qcow2|vmdk)$/, "")));
    let n = 0;
    while (names.has(`vm-${vmid}-disk-${n}`) || names.has(`base-${vmid}-disk-${n}`)) n++;
    return n;
  }

  /** vdisk_alloc: the next free vm-<vmid>-disk-<n> (or the cloud-init volume) on `s`. */
  allocVolume(s: SimStorage, vmid: number, sizeBytes: number, opts: { format?: "raw" | "qcow2"; cloudinit?: boolean; base?: boolean } = {}): SimVolume {
    const file = isFileStorage(s);
    const format = file ? (opts.format ?? "qcow2") : "raw";
    const prefix = opts.base ? "base" : "vm";
    const name = opts.cloudinit ? `vm-${vmid}-cloudinit` : `${prefix}-${vmid}-disk-${this.freeDiskNumber(s, vmid)}`;
    const volname = file ? `${vmid}/${name}.${format}` : name;
    if (s.volumes.has(volname)) die(`unable to create volume '${s.id}:${volname}' - already exists`);
    const vol: SimVolume = { volid: `${s.id}:${volname}`, volname, storage: s, vmid, sizeBytes, format };
    s.volumes.set(volname, vol);
    return vol;
  }

  /** vdisk_clone: a linked clone of a base volume. */
  linkedClone(base: SimVolume, vmid: number): SimVolume {
    const s = base.storage;
    const n = this.freeDiskNumber(s, vmid);
    const name = isFileStorage(s) ? `${vmid}/vm-${vmid}-disk-${n}.${base.format}` : `vm-${vmid}-disk-${n}`;
    const volname = `${base.volname}/${name}`;
    const vol: SimVolume = { volid: `${s.id}:${volname}`, volname, storage: s, vmid, sizeBytes: base.sizeBytes, format: base.format };
    s.volumes.set(volname, vol);
    return vol;
  }

  freeVolume(vol: SimVolume): void {
    vol.storage.volumes.delete(vol.volname);
  }

  /** Volumes referenced by a config (disks, cloud-init, EFI/TPM, unused). */
  vmVolumes(vm: SimVm): SimVolume[] {
    const res: SimVolume[] = [];
    for (const [k, v] of Object.entries({ ...vm.config, ...vm.pending })) {
      if (!DISK_KEY_RE.test(k)) continue;
      const vol = this.volume(vm.node, parseDrive(v).file);
      if (vol && !res.includes(vol)) res.push(vol);
    }
    return res;
  }

  /** All volumes owned by a VMID on storages visible from `node`. */
  ownedVolumes(node: string, vmid: number): SimVolume[] {
    const res: SimVolume[] = [];
    for (const s of this.storagesOn(node)) for (const v of s.volumes.values()) if (v.vmid === vmid) res.push(v);
    return res;
  }

  // ------------------------------------------------------------------ VMs

  newMac(vm: SimVm, salt = ""): string {
    vm.macSeq++;
    return macFor(`${vm.vmid}/${vm.macSeq}/${salt}`);
  }

  /** The value a key has with pending changes applied (what GET config shows by default). */
  effectiveConfig(vm: SimVm, current = false): Record<string, string> {
    if (current) return { ...vm.config };
    const res: Record<string, string> = { ...vm.config, ...vm.pending };
    for (const k of vm.pendingDelete) delete res[k];
    return res;
  }

  /** write_vm_config's text, for the digest */
  configText(vm: SimVm): string {
    const lines: string[] = [];
    const conf = vm.config;
    if (conf.description) for (const l of conf.description.split("\n")) lines.push(`#${l}`);
    for (const k of Object.keys(conf).sort()) if (k !== "description") lines.push(`${k}: ${conf[k]}`);
    if (Object.keys(vm.pending).length || vm.pendingDelete.length) {
      lines.push("", "[PENDING]");
      for (const k of Object.keys(vm.pending).sort()) lines.push(`${k}: ${vm.pending[k]}`);
      if (vm.pendingDelete.length) lines.push(`delete: ${vm.pendingDelete.join(",")}`);
    }
    return `${lines.join("\n")}\n`;
  }

  digest(vm: SimVm): string {
    return sha1Hex(this.configText(vm));
  }

  applyPending(vm: SimVm): void {
    for (const k of vm.pendingDelete) delete vm.config[k];
    Object.assign(vm.config, vm.pending);
    vm.pending = {};
    vm.pendingDelete = [];
  }

  isTemplate(vm: SimVm): boolean {
    return vm.config.template === "1";
  }

  cpus(vm: SimVm): number {
    const c = vm.config;
    const node = this.nodes.get(vm.node);
    let cpus = Number(c.sockets ?? 1) * Number(c.cores ?? 1);
    if (node && cpus > node.cpus) cpus = node.cpus;
    if (c.vcpus) cpus = Number(c.vcpus);
    return cpus;
  }

  maxmemBytes(vm: SimVm): number {
    return currentMemoryMb(vm.config.memory) * MiB;
  }

  /** bootdisk_size: the first non-CD-ROM drive of the boot order */
  maxdiskBytes(vm: SimVm): number {
    const c = vm.config;
    const order = /(?:^|,)order=([^,]+)/.exec(c.boot ?? "")?.[1]?.split(";") ?? [];
    const fallback = ["ide0", "ide1", "ide2", "ide3", "sata0", "sata1", "scsi0", "scsi1", "virtio0", "virtio1"];
    for (const k of [...order, ...(order.length ? [] : fallback)]) {
      const v = c[k];
      if (!v || !DISK_KEY_RE.test(k)) continue;
      const d = parseDrive(v);
      if (driveIsCdrom(d)) continue;
      return parseSize(driveOpt(d, "size") ?? "0") ?? 0;
    }
    return 0;
  }

  uptime(vm: SimVm): number {
    return vm.running && vm.startedAt !== undefined ? Math.max(0, Math.floor((this.clock() - vm.startedAt) / 1000)) : 0;
  }

  /** A running guest's deterministic private IPv4 (10.x.y.z/24) when cloud-init does not set a static one. */
  guestIpv4(vm: SimVm): { ip: string; prefix: number } {
    const ipconfig = this.effectiveConfig(vm, true).ipconfig0 ?? "";
    const m = /(?:^|,)ip=(\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(ipconfig);
    if (m) return { ip: m[1] as string, prefix: Number(m[2]) };
    const id = vm.vmid;
    return { ip: `10.${20 + (Math.floor(id / 62500) % 200)}.${Math.floor(id / 250) % 250}.${(id % 250) + 2}`, prefix: 24 };
  }

  /** Creates a template or VM from a spec (setup only). */
  addGuest(spec: SimTemplateSpec | SimVmSpec, template: boolean): SimVm {
    if (!this.nodes.has(spec.node)) throw new Error(`simulator: unknown node '${spec.node}' for VM ${spec.vmid}`);
    if (this.vms.has(spec.vmid)) throw new Error(`simulator: duplicate VMID ${spec.vmid}`);
    const storage = spec.storage
      ? this.storageOn(spec.node, spec.storage)
      : (this.storagesOn(spec.node).find((s) => s.content.includes("images") && !s.shared) ?? this.storagesOn(spec.node).find((s) => s.content.includes("images")));
    if (!storage) throw new Error(`simulator: no storage with images content for VM ${spec.vmid} on ${spec.node}`);
    const windows = /^w/.test(spec.ostype);
    const vm: SimVm = { vmid: spec.vmid, node: spec.node, config: {}, pending: {}, pendingDelete: [], running: false, macSeq: 0, createdAt: this.clock() - 30 * 86400_000 };
    const c = vm.config;
    const layout = spec.disks ?? [{ key: "scsi0", gb: spec.diskGb }];
    for (const d of layout) {
      const s = d.storage ? this.storageOn(spec.node, d.storage) : storage;
      if (!s) throw new Error(`simulator: storage '${d.storage}' is not on ${spec.node} for VM ${spec.vmid}`);
      const vol = this.allocVolume(s, spec.vmid, d.gb * GiB, { base: template, format: "qcow2" });
      c[d.key] = `${vol.volid},${/^scsi/.test(d.key) ? "discard=on,iothread=1," : ""}size=${formatSize(vol.sizeBytes)}`;
    }
    const first = layout[0]?.key ?? "scsi0";
    if (spec.agent !== false) c.agent = "1";
    if (spec.vcpus !== undefined) c.vcpus = String(spec.vcpus);
    if (spec.balloon !== undefined) c.balloon = String(spec.balloon);
    c.cores = String(spec.cores);
    c.sockets = String(spec.sockets ?? 1);
    c.memory = String(spec.memory);
    c.name = spec.name;
    c.net0 = `virtio=${this.newMac(vm)},bridge=vmbr0,firewall=1`;
    c.ostype = spec.ostype;
    c.scsihw = "virtio-scsi-single";
    c.smbios1 = `uuid=${uuidFor(`smbios/${spec.vmid}`)}`;
    c.vmgenid = uuidFor(`vmgenid/${spec.vmid}`);
    c.meta = `creation-qemu=9.0.2,ctime=${Math.floor(this.clock() / 1000) - 86400 * 30}`;
    c.cpu = "x86-64-v2-AES";
    if (windows) {
      c.bios = "ovmf";
      c.machine = "pc-q35-9.0";
      const efi = this.allocVolume(storage, spec.vmid, 4 * MiB, { base: template, format: "qcow2" });
      c.efidisk0 = `${efi.volid},efitype=4m,pre-enrolled-keys=1,size=${formatSize(efi.sizeBytes)}`;
      const tpm = this.allocVolume(storage, spec.vmid, 4 * MiB, { base: template, format: "raw" });
      c.tpmstate0 = `${tpm.volid},size=4M,version=v2.0`;
      c.boot = spec.boot ?? `order=${first};net0`;
    } else {
      c.serial0 = "socket";
      c.vga = "serial0";
      c.boot = spec.boot ?? `order=${first}`;
    }
    if (spec.cloudInit ?? !windows) {
      const ci = this.allocVolume(storage, spec.vmid, 4 * MiB, { cloudinit: true, format: "qcow2" });
      c.ide2 = `${ci.volid},media=cdrom`;
      c.ipconfig0 = "ip=dhcp";
    }
    if (spec.tags) c.tags = spec.tags;
    if (spec.description) c.description = spec.description;
    if (template) c.template = "1";
    this.vms.set(vm.vmid, vm);
    if ("running" in spec && spec.running && !template) {
      vm.running = true;
      vm.startedAt = this.clock() - 3600_000;
      vm.agentReadyAt = vm.startedAt;
      vm.pid = this.nextPid(vm.node);
    }
    return vm;
  }

  /** /cluster/nextid */
  nextFreeVmid(lower: number): number {
    for (let i = lower; i < 1_000_000; i++) if (!this.vms.has(i)) return i;
    die(`unable to get any free VMID in range [${lower}, 1000000]`);
  }

  poolOf(vmid: number): string | undefined {
    for (const [pool, members] of this.poolMembers) if (members.has(vmid)) return pool;
    return undefined;
  }

  addToPool(vmid: number, pool: string): void {
    const set = this.poolMembers.get(pool) ?? new Set<number>();
    set.add(vmid);
    this.poolMembers.set(pool, set);
  }

  removeFromPools(vmid: number): void {
    for (const set of this.poolMembers.values()) set.delete(vmid);
  }

  /** A JSON-friendly snapshot (GET /__simulator/state). */
  snapshot(): Record<string, unknown> {
    return {
      version: this.version,
      nodes: [...this.nodes.values()].map((n) => ({ name: n.name, online: n.online, cpus: n.cpus, memoryBytes: n.memoryBytes })),
      storages: [...this.storages.values()].map((s) => ({
        storage: s.id,
        type: s.type,
        shared: s.shared,
        nodes: s.nodes,
        content: s.content,
        totalBytes: s.totalBytes,
        usedBytes: this.usedBytes(s),
        volumes: [...s.volumes.values()].map((v) => ({ volid: v.volid, vmid: v.vmid, sizeBytes: v.sizeBytes, format: v.format })),
      })),
      vms: [...this.vms.values()]
        .sort((a, b) => a.vmid - b.vmid)
        .map((vm) => ({
          vmid: vm.vmid,
          node: vm.node,
          name: vm.config.name,
          template: this.isTemplate(vm),
          status: vm.running ? "running" : "stopped",
          lock: vm.config.lock,
          pool: this.poolOf(vm.vmid),
          agentReady: vm.running && vm.agentReadyAt !== undefined && this.clock() >= vm.agentReadyAt,
          config: vm.config,
          pending: vm.pending,
          pendingDelete: vm.pendingDelete,
          pciDevices: vm.pciDevices ?? [],
        })),
      pools: [...this.pools],
      pciMappings: [...this.pciMappings.values()],
    };
  }
}
