/**
 * Reading a VM's (or template's) configuration as `GET /nodes/{node}/qemu/{vmid}/config`
 * answers it: which disk boots, how many vCPUs the guest gets, its memory, and where its
 * volumes live. Pure functions, unit-tested beside.
 */
export type PveConfig = Record<string, string | number>;

const GiB = 1024 ** 3;
const DISK_KEY = /^(ide|sata|scsi|virtio)\d+$/;
const VOLUME_KEY = /^((ide|sata|scsi|virtio)\d+|efidisk0|tpmstate0)$/;

/** Size in GiB of a disk property string such as `local-lvm:vm-100-disk-0,size=32G`. */
export function diskSizeGb(value: string | number | undefined): number | undefined {
  const m = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)/.exec(String(value ?? ""));
  if (!m) return undefined;
  const factor = { "": 1 / GiB, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 }[m[2] as "" | "K" | "M" | "G" | "T"];
  return Number(m[1]) * factor;
}

const isCdrom = (value: string | number | undefined) => {
  const text = String(value ?? "");
  const file = text.split(",")[0] ?? "";
  return /(?:^|,)media=cdrom(?:,|$)/.test(text) || file === "cdrom" || file === "none" || /(^|[:/])vm-\d+-cloudinit(\.\w+)?$/.test(file);
};

/**
 * The disk the VM boots from, as PVE's bootdisk_size finds it: the first disk (not a CD-ROM)
 * of `boot: order=a;b;c`; with the legacy `boot: cdn` form, `bootdisk`; without either, the
 * first of ide0..3, sata0..5, scsi0..30, virtio0..15 that is a disk. Undefined: no disk.
 */
export function bootDisk(config: PveConfig): string | undefined {
  const boot = String(config.boot ?? "");
  const order = /(?:^|,)order=([^,]+)/.exec(boot)?.[1]?.split(";") ?? [];
  const candidates = order.length
    ? order
    : [
        ...(typeof config.bootdisk === "string" ? [config.bootdisk] : []),
        ...Object.keys(config)
          .filter((k) => DISK_KEY.test(k))
          .sort((a, b) => rank(a) - rank(b)),
      ];
  return candidates.find((k) => DISK_KEY.test(k) && config[k] !== undefined && !isCdrom(config[k]));
}

function rank(key: string): number {
  const m = /^(ide|sata|scsi|virtio)(\d+)$/.exec(key);
  if (!m) return 1e6;
  return ["ide", "sata", "scsi", "virtio"].indexOf(m[1] as string) * 1000 + Number(m[2]);
}

/** Memory in MB of a `memory` property: `2048` or (PVE 8.1+) `current=2048[,...]`; PVE's default is 512. */
export function memoryMbOf(value: string | number | undefined): number | undefined {
  if (value === undefined || value === "") return 512;
  if (typeof value === "number") return value;
  const m = /(?:^|current=)(\d+)/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** The vCPUs the guest runs with: `vcpus` when set (hotplug limit), else sockets x cores (defaults 1). */
export function vcpusOf(config: PveConfig): number {
  const total = Number(config.sockets ?? 1) * Number(config.cores ?? 1);
  return config.vcpus !== undefined && Number(config.vcpus) > 0 ? Math.min(Number(config.vcpus), total) : total;
}

/** The storage ids of every volume the config references (disks, CD-ROM images, cloud-init, EFI, TPM); `cdrom`: a host drive. */
export function volumeStorages(config: PveConfig): { key: string; storage: string | "cdrom" }[] {
  const out: { key: string; storage: string }[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!VOLUME_KEY.test(key)) continue;
    const file = String(value).split(",")[0] ?? "";
    if (file === "" || file === "none") continue;
    if (file === "cdrom") out.push({ key, storage: "cdrom" });
    else {
      const m = /^([^:/]+):/.exec(file);
      if (m) out.push({ key, storage: m[1] as string });
    }
  }
  return out;
}

/** What a VM's configuration says it is: its vCPUs, memory and boot disk (what Hangar records and bills). */
export function builtSize(config: PveConfig): { cpuCores: number; topology: string; memoryMb: number | undefined; bootDisk: string | undefined; diskGb: number | undefined } {
  const disk = bootDisk(config);
  const topology = `${Number(config.sockets ?? 1)} socket x ${Number(config.cores ?? 1)} cores${config.vcpus !== undefined ? `, vcpus ${config.vcpus}` : ""}`;
  return { cpuCores: vcpusOf(config), topology, memoryMb: memoryMbOf(config.memory), bootDisk: disk, diskGb: disk ? diskSizeGb(config[disk]) : undefined };
}
