/** Public types of the PVE simulator. */

/** The PVE release to imitate. "7.4" differs in: resize is synchronous (returns null), no `message` in error bodies, detailed 401 reasons. */
export type PveVersion = "7.4" | "8.4" | "9.1";

export type PveTaskType = "qmclone" | "qmconfig" | "resize" | "qmstart" | "qmstop" | "qmshutdown" | "qmreboot" | "qmdestroy" | "qmcreate";

export const PVE_TASK_TYPES: readonly PveTaskType[] = ["qmclone", "qmconfig", "resize", "qmstart", "qmstop", "qmshutdown", "qmreboot", "qmdestroy", "qmcreate"];

export type SimNodeSpec = string | { name: string; cpus?: number; memoryMb?: number; online?: boolean };

export type SimStorageType = "dir" | "lvmthin" | "lvm" | "nfs" | "cifs" | "zfspool" | "rbd";

export type SimStorageSpec = {
  storage: string;
  type: SimStorageType;
  /** content types, e.g. ["images", "rootdir"]; defaults by type */
  content?: string[];
  /** shared storages (nfs, cifs, rbd) are one store visible from every node */
  shared?: boolean;
  totalGb?: number;
  enabled?: boolean;
};

export type SimTemplateSpec = {
  node: string;
  vmid: number;
  name: string;
  cores: number;
  /** MiB */
  memory: number;
  diskGb: number;
  ostype: string;
  /** where the base disk lives; default: the node's first storage with "images" content */
  storage?: string;
  sockets?: number;
  /**
   * The disk layout, in config order (default: one `scsi0` of `diskGb`), e.g. a boot disk
   * `virtio0` of 4 GB and a data disk `scsi0` of 1 GB; `storage` defaults to the template's.
   */
  disks?: { key: string; gb: number; storage?: string }[];
  /** `boot` as PVE stores it, e.g. "order=virtio0;net0" (default: order=<first disk>) */
  boot?: string;
  /** `vcpus`: hotplugged vCPUs, fewer than sockets x cores */
  vcpus?: number;
  /** `balloon`: the minimum memory in MiB the balloon driver may leave the guest */
  balloon?: number;
  /** `agent: 1` (default true); false: no guest agent option in the config */
  agent?: boolean;
  /** attach a cloud-init drive (default true except for Windows guests) */
  cloudInit?: boolean;
  tags?: string;
  description?: string;
};

/** A regular (non-template) VM present at start. */
export type SimVmSpec = Omit<SimTemplateSpec, "cloudInit"> & { running?: boolean; cloudInit?: boolean };

/**
 * A PCI resource mapping (`/cluster/mapping/pci`): a logical id and, per node, the devices it
 * stands for. Several devices on one node form a pool: a VM started with `hostpciN: mapping=<id>`
 * gets the first one no running VM uses (qemu-server's choose_hostpci_devices).
 */
export type SimPciMappingSpec = {
  id: string;
  description?: string;
  /** one entry per device: its node, PCI path (e.g. 0000:01:00), vendor:device id, IOMMU group */
  devices: { node: string; path: string; id: string; iommugroup?: number; subsystemId?: string; description?: string }[];
};

export type SimTokenSpec = { tokenId: string; secret: string; /** unix seconds */ expire?: number };
export type SimUserSpec = { username: string; password: string; enabled?: boolean };

export type PveSimulatorOptions = {
  host?: string;
  /** 0: ephemeral */
  port?: number;
  /** HTTPS with this key/certificate (PEM) */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** default "9.1" */
  version?: PveVersion;
  /** default ["pve1"] */
  nodes?: SimNodeSpec[];
  /** one list for every node, or per node name; default: local (dir), local-lvm (lvmthin), NFS (nfs, shared) */
  storages?: SimStorageSpec[] | Record<string, SimStorageSpec[]>;
  templates?: SimTemplateSpec[];
  vms?: SimVmSpec[];
  /** PCI resource mappings (`/cluster/mapping/pci`), e.g. GPUs for `hostpciN: mapping=<id>` */
  pciMappings?: SimPciMappingSpec[];
  /** resource pools that exist (clone/create `pool`) */
  pools?: string[];
  tokens?: SimTokenSpec[];
  users?: SimUserSpec[];
  /** one duration for every task type, or per type; defaults: qmclone 1500, others 200-1500 */
  taskDurationMs?: number | Partial<Record<PveTaskType, number>>;
  /** time after a VM has started until its guest agent answers (default 3000) */
  agentDelayMs?: number;
  /**
   * For this long after it was created, a VM appears in /cluster/resources without statistics:
   * `status: "unknown"`, no name, maxmem, ... (real PVE: until pvestatd's next RRD update, up to ~10 s). Default 0.
   */
  resourcesLagMs?: number;
  /** lowest VMID /cluster/nextid hands out (datacenter.cfg next-id lower, default 100) */
  firstVmid?: number;
  /** delay of 401 answers, measured from the request's arrival (real PVE: 3000) */
  authFailureDelayMs?: number;
  /** newer servers (pve-http-server >= 5.2) put `message` in error bodies; default true except for "7.4" */
  messageInBody?: boolean;
  /** expose POST /__simulator/faults and GET /__simulator/state (no auth) */
  controlApi?: boolean;
  /** directory holding pve-<version>.json; default env PVE_API_SCHEMA_DIR or ../shared/pve-api */
  schemaDir?: string;
  /** ms since epoch; tickets, uptimes and task start times use it (timers still run in real time) */
  clock?: () => number;
  /**
   * Delay between a task's UPID being returned and the worker taking its locks (default 0). With a
   * delay, two clones to the same newid sent at once both pass the early checks and the second task
   * fails with "unable to create VM <id>: config file already exists", as in a real race.
   */
  workerStartDelayMs?: number;
  /** how many requests `requests` keeps (default 5000) */
  maxRequestLog?: number;
  clusterName?: string;
};

export type SimRequestLogEntry = {
  time: number;
  method: string;
  /** URL path as received, e.g. /api2/json/nodes/pve1/qemu/9000/clone */
  path: string;
  /** path below /api2/json, e.g. /nodes/pve1/qemu/9000/clone */
  apiPath: string;
  /** decoded parameters (body, then query on top), before validation */
  params: Record<string, unknown>;
  /** authenticated user or token id */
  user?: string;
  status?: number;
};

export type FailNthCallSpec = {
  method?: string;
  /** matched against the URL path (e.g. /api2/json/nodes/pve1/qemu/9000/clone); a string is compiled to a RegExp */
  pathPattern?: RegExp | string;
  /** 1-based: the n-th matching call from now fails */
  n: number;
  status: number;
  message: string;
  /** for status 400: per-parameter errors to put in the body */
  errors?: Record<string, string>;
};

export type FailTaskSpec = {
  type: PveTaskType;
  /** the task's exit status, e.g. "clone failed: storage 'NFS' is full" */
  message: string;
  /** only a task on this VMID (the UPID's id) */
  vmid?: number;
};

export interface SimFaults {
  failNthCall(spec: FailNthCallSpec): void;
  failTask(spec: FailTaskSpec): void;
  /** delay every response by `ms` (0: off) */
  slowDown(ms: number): void;
  /** destroy the socket of the next `count` requests without answering */
  dropConnections(count: number): void;
  /** set (or with null, remove) a VM's config lock, e.g. "backup" */
  lockVm(vmid: number, lock: string | null): void;
  /** clears all pending faults (not the cluster state) */
  reset(): void;
}
