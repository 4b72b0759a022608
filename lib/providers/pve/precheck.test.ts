import { describe, expect, it } from "vitest";
import { cloneProblems, placementsFor, type ClusterFacts } from "./precheck";

const storages = (node: string) => [
  { node, storage: "local", type: "dir", content: ["backup", "iso", "vztmpl"], shared: false, enabled: true },
  { node, storage: "local-lvm", type: "lvmthin", content: ["images", "rootdir"], shared: false, enabled: true },
  { node, storage: "NFS", type: "nfs", content: ["backup", "images", "iso"], shared: true, enabled: true },
];
const facts: ClusterFacts = {
  nodes: [
    { name: "pve1", online: true, cpus: 16 },
    { name: "pve2", online: true, cpus: 8 },
    { name: "pve3", online: false },
  ],
  storages: { pve1: storages("pve1"), pve2: storages("pve2").map((s) => (s.storage === "NFS" ? { ...s, enabled: false } : s)) },
};
const local = { boot: "order=scsi0", scsi0: "local-lvm:base-9000-disk-0,size=32G", ide2: "local-lvm:vm-9000-cloudinit,media=cdrom" };
const shared = { boot: "order=scsi0", scsi0: "NFS:9002/base-9002-disk-0.qcow2,size=40G", balloon: 2048 };
const request = { connection: "lab", templateName: "t", templateNode: "pve1", templateConfig: local, target: "pve1", storage: "NFS", cpuCores: 2, memoryMb: 4096, diskGb: 40 };

describe("PVE's clone rules before accepting", () => {
  it("accepts a clone PVE would make", () => {
    expect(cloneProblems(facts, request)).toEqual([]);
    expect(cloneProblems(facts, { ...request, storage: "local-lvm" })).toEqual([]);
  });

  it("refuses what PVE would refuse, saying what works", () => {
    expect(cloneProblems(facts, { ...request, target: "pve9" })).toEqual(['Invalid target node: "pve9" is not a node of lab (nodes: pve1, pve2, pve3)']);
    expect(cloneProblems(facts, { ...request, target: "pve3" })).toEqual(["Node pve3 is offline: choose one of pve1, pve2"]);
    expect(cloneProblems(facts, { ...request, target: "pve2" })).toEqual(["t lives on pve1's local storage (local-lvm): choose pve1, or a template on shared storage"]);
    expect(cloneProblems(facts, { ...request, templateConfig: shared, target: "pve2", storage: "NFS" })).toEqual(['Storage "NFS" is disabled on pve2: choose one of local-lvm']);
    expect(cloneProblems(facts, { ...request, storage: "local" })).toEqual(['Storage "local" does not hold VM disks (its content is backup, iso, vztmpl): choose one of local-lvm, NFS']);
    expect(cloneProblems(facts, { ...request, diskGb: 20, cpuCores: 20, memoryMb: 1024, templateConfig: shared })).toEqual([
      "diskSize must be at least 40 GB: t's boot disk (scsi0) is 40 GB, and disks never shrink",
      "cpuCores must be at most 16: pve1 has 16 CPUs",
      "memorySize must be at least 2048 MB: t keeps at least 2048 MB for its memory balloon",
    ]);
  });

  it("lists the placements that work, and why the others do not", () => {
    expect(placementsFor(facts, "pve1", local)).toEqual([
      { node: "pve1", storages: ["local-lvm", "NFS"] },
      { node: "pve2", storages: [], reason: "the template's disks are on pve1's local storage (local-lvm)" },
      { node: "pve3", storages: [], reason: "pve3 is offline" },
    ]);
    expect(placementsFor(facts, "pve1", shared)[1]).toEqual({ node: "pve2", storages: [], reason: "no shared storage for VM disks reaches both pve1 and pve2" });
  });
});
