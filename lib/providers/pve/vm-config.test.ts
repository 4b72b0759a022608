import { describe, expect, it } from "vitest";
import { bootDisk, builtSize, diskSizeGb, memoryMbOf, vcpusOf, volumeStorages } from "./vm-config";

describe("reading a PVE VM configuration", () => {
  it("takes the boot disk from the boot order, skipping CD-ROMs and the network", () => {
    expect(bootDisk({ boot: "order=virtio0;net0", virtio0: "local-lvm:vm-1-disk-0,size=4G", scsi0: "local-lvm:vm-1-disk-1,size=1G" })).toBe("virtio0");
    expect(bootDisk({ boot: "order=ide2;net0;scsi1", ide2: "local:iso/x.iso,media=cdrom", scsi1: "NFS:1/vm-1-disk-0.qcow2,size=8G" })).toBe("scsi1");
    // Legacy `boot: cdn` with `bootdisk`, then the first disk by bus.
    expect(bootDisk({ boot: "cdn", bootdisk: "sata0", sata0: "x:vm-1-disk-0,size=2G", scsi0: "x:vm-1-disk-1,size=1G" })).toBe("sata0");
    expect(bootDisk({ scsi0: "x:vm-1-disk-1,size=1G", ide2: "x:vm-1-cloudinit,media=cdrom" })).toBe("scsi0");
    expect(bootDisk({ boot: "order=net0" })).toBeUndefined();
  });

  it("counts vCPUs as sockets x cores, capped by vcpus; memory in either form", () => {
    expect(vcpusOf({ sockets: 2, cores: "2" })).toBe(4);
    expect(vcpusOf({ sockets: "2", cores: "1", vcpus: "1" })).toBe(1);
    expect(vcpusOf({})).toBe(1);
    expect(memoryMbOf("current=4096")).toBe(4096);
    expect(memoryMbOf(2048)).toBe(2048);
    expect(memoryMbOf(undefined)).toBe(512);
    expect(diskSizeGb("local-lvm:vm-1-disk-0,size=512M")).toBe(0.5);
  });

  it("lists the storages of every volume, a host CD-ROM drive included", () => {
    expect(volumeStorages({ scsi0: "local-lvm:base-9000-disk-0,size=32G", ide2: "NFS:vm-9000-cloudinit,media=cdrom", ide0: "cdrom,media=cdrom", net0: "virtio=AA,bridge=vmbr0", unused0: "local:x" })).toEqual([
      { key: "scsi0", storage: "local-lvm" },
      { key: "ide2", storage: "NFS" },
      { key: "ide0", storage: "cdrom" },
    ]);
    expect(builtSize({ boot: "order=virtio0", virtio0: "x:vm-1-disk-0,size=10G", cores: 4, sockets: 1, memory: "2048" })).toEqual({ cpuCores: 4, topology: "1 socket x 4 cores", memoryMb: 2048, bootDisk: "virtio0", diskGb: 10 });
    expect(builtSize({ scsi0: "x:vm-1-disk-0,size=8G", cores: 1, sockets: 2, vcpus: 1 })).toMatchObject({ cpuCores: 1, topology: "2 socket x 1 cores, vcpus 1", memoryMb: 512, diskGb: 8 });
  });
});
