/**
 * VergeOS vendor shapes as this client reads them (API v4). Keys are strings (rows often carry
 * numbers: the client converts), and the keys of different tables are distinct branded types so
 * that passing a VM key where a machine key belongs is a type error.
 */
import { ProviderError } from "../types";

declare const brand: unique symbol;
/** A `$key` of table `T`, always a string. */
export type Key<T extends string> = string & { readonly [brand]: T };

/** `/vms/{key}`, `vm_actions.vm`, cloud-init `owner: "vms/<key>"`. */
export type VmKey = Key<"vms">;
/** The `machine` field of `machine_drives`, `machine_nics`, `machine_devices`, `machine_status`. */
export type MachineKey = Key<"machines">;
/** The `$key` of a `machine_status` row (its own key, not the machine key). */
export type MachineStatusKey = Key<"machine_status">;
export type DriveKey = Key<"machine_drives">;
export type NicKey = Key<"machine_nics">;
export type DeviceKey = Key<"machine_devices">;
export type ClusterKey = Key<"clusters">;
export type VnetKey = Key<"vnets">;
/** A row of the `files` table: an image (qcow2, raw, vmdk) or ISO usable as a media source. */
export type FileKey = Key<"files">;
/** A resource group's UUID (what `machine_devices.resource_group` takes), not its `$key`. */
export type ResourceGroupUuid = Key<"resource_group_uuid">;
export type ResourceGroupKey = Key<"resource_groups">;
/** A storage tier number, "1" to "5" (sent as a string: `preferred_tier`). */
export type TierNumber = Key<"tier">;

/**
 * Reads a `$key` (string or number, doc + govergeos FlexInt) as the branded key type `T`.
 * Throws ProviderError `parameter` for anything else (empty, object, fraction, negative).
 */
export function asKey<T extends Key<string>>(value: unknown, what = "key"): T {
  const text = typeof value === "number" ? (Number.isSafeInteger(value) && value >= 0 ? String(value) : "") : typeof value === "string" ? value.trim() : "";
  if (text === "" || text.length > 200 || /[\s/?#%\\]/.test(text)) {
    throw new ProviderError("parameter", `Invalid VergeOS ${what}: ${JSON.stringify(value) ?? String(value)}`, { errors: { [what]: "invalid key" } });
  }
  return text as T;
}

export const vmKey = (v: unknown) => asKey<VmKey>(v, "VM key");
export const machineKey = (v: unknown) => asKey<MachineKey>(v, "machine key");
export const clusterKey = (v: unknown) => asKey<ClusterKey>(v, "cluster key");
export const vnetKey = (v: unknown) => asKey<VnetKey>(v, "vnet key");
export const fileKey = (v: unknown) => asKey<FileKey>(v, "media source key");
export const driveKey = (v: unknown) => asKey<DriveKey>(v, "drive key");
export const nicKey = (v: unknown) => asKey<NicKey>(v, "NIC key");
export const deviceKey = (v: unknown) => asKey<DeviceKey>(v, "device key");
export const resourceGroupUuid = (v: unknown) => asKey<ResourceGroupUuid>(v, "resource group UUID");
export function tierNumber(v: unknown): TierNumber {
  const t = asKey<TierNumber>(v, "storage tier");
  if (!/^[1-5]$/.test(t)) throw new ProviderError("parameter", `Invalid VergeOS storage tier: ${JSON.stringify(v)} (1 to 5)`, { errors: { preferred_tier: "1 to 5" } });
  return t;
}

/** What every create (`POST`) answers: 201 `{location, dbpath, $row, $key}`, some tables add `response`. */
export type VergeCreated<K extends Key<string>> = {
  key: K;
  row?: number;
  location?: string;
  dbpath?: string;
  response?: Record<string, unknown>;
};

export type VergeCluster = { key: ClusterKey; name: string; description?: string; maxRamPerVmMb?: number; maxCoresPerVm?: number };
export type VergeVnet = { key: VnetKey; name: string; type?: string; network?: string };
export type VergeStorageTier = { key: string; tier: TierNumber; description?: string; capacityBytes: number; usedBytes: number; freeBytes: number };
export type VergeMediaSource = { key: FileKey; name: string; type?: string; fileSizeBytes?: number };
export type VergeResourceGroup = {
  key: ResourceGroupKey;
  uuid: ResourceGroupUuid;
  name: string;
  description?: string;
  /** e.g. node_host_gpu_devices, node_nvidia_vgpu_devices, node_pci_devices */
  type?: string;
  /** e.g. gpu, vgpu, pci */
  class?: string;
  enabled: boolean;
  /** Devices in the group (`count(resources)`), when the server projects it. */
  resourceCount?: number;
};
export type VergeVgpuDevice = { key: string; name: string; node?: string; slot?: string; maxInstances?: number };

export type VergeVideo = "virtio" | "std" | "cirrus" | "qxl";
export type VergeCloudInitFile = { name: string; contents: string };

/** `POST /vms` body as the client takes it; units in the names. */
export type VergeCreateVm = {
  name: string;
  description?: string;
  cluster?: ClusterKey;
  cpuCores: number;
  /** MB (8 GiB = 8192). */
  ramMb: number;
  guestAgent?: boolean;
  uefi?: boolean;
  secureBoot?: boolean;
  video?: VergeVideo;
  osFamily?: "linux" | "windows" | "freebsd" | "other";
  machineType?: string;
  rtcBase?: "utc" | "localtime";
  cloudInit?: { datasource: "nocloud" | "config_drive_v2"; files: VergeCloudInitFile[] };
};
export type VergeUpdateVm = { cpuCores?: number; ramMb?: number; description?: string };

export type VergeVm = {
  key: VmKey;
  name: string;
  /** Absent only if the server did not project it. */
  machine?: MachineKey;
  description?: string;
  cluster?: ClusterKey;
  cpuCores?: number;
  ramMb?: number;
  isSnapshot?: boolean;
};
export type VergeCreatedVm = VergeCreated<VmKey> & { machine?: MachineKey };

export type VergeDriveMedia = "disk" | "cdrom" | "import" | "clone" | "efidisk";
export type VergeDriveInterface = "virtio-scsi" | "virtio" | "ide" | "ahci" | "nvme" | "virtio-scsi-dedicated";
export type VergeCreateDrive = {
  machine: MachineKey;
  name?: string;
  description?: string;
  media: VergeDriveMedia;
  interface: VergeDriveInterface;
  /** Bytes (100 GiB = 107374182400). */
  sizeBytes?: number;
  preferredTier?: TierNumber;
  mediaSource?: FileKey;
};
export type VergeDrive = {
  key: DriveKey;
  machine?: MachineKey;
  name?: string;
  media?: string;
  interface?: string;
  sizeBytes?: number;
  preferredTier?: string;
  mediaSource?: string;
};

export type VergeNicInterface = "virtio" | "e1000" | "e1000e" | "rtl8139" | "vmxnet3";
export type VergeCreateNic = { machine: MachineKey; vnet: VnetKey; name?: string; interface?: VergeNicInterface };
export type VergeNic = { key: NicKey; machine?: MachineKey; vnet?: string; name?: string; interface?: string; macAddress?: string; ipAddress?: string };

export type VergeCreateDevice = { machine: MachineKey; resourceGroup: ResourceGroupUuid; name?: string };
export type VergeDevice = { key: DeviceKey; machine?: MachineKey; resourceGroup?: string; uuid?: string; name?: string };
export type VergeCreatedDevice = VergeCreated<DeviceKey> & { uuid?: string };

export type VergePowerAction = "poweron" | "poweroff" | "kill" | "reset";

export type VergeMachineStatus = {
  key: MachineStatusKey;
  machine?: MachineKey;
  /** e.g. running, stopped, starting, stopping, error (unknown values = in progress). */
  status?: string;
  statusInfo?: string;
  state?: string;
  running?: boolean;
  powerstate?: boolean;
  node?: string;
  agentGuestInfo?: unknown;
};
