import type { NodeInfo, StorageInfo } from "./client";
import { bootDisk, diskSizeGb, volumeStorages, type PveConfig } from "./vm-config";

/**
 * PVE's own rules for a full clone of a template (qemu-server's clone_vm and what the later
 * config, resize and start calls check), applied before a request is accepted, so that what
 * PVE would refuse minutes later is refused at once with what would work instead.
 * Pure: the facts are read (and cached) by the provider.
 */
export type ClusterFacts = {
  nodes: NodeInfo[];
  /** Storages as each online node lists them (`GET /nodes/{node}/storage`). */
  storages: Record<string, StorageInfo[]>;
};

export type CloneRequest = {
  /** The connection's name, for messages. */
  connection: string;
  /** The template's name as the user knows it. */
  templateName: string;
  templateNode: string;
  templateConfig: PveConfig;
  target: string;
  storage: string;
  cpuCores: number;
  memoryMb: number;
  diskGb: number;
};

const list = (items: string[]) => (items.length ? items.join(", ") : "none");

/** Storages of `node` that can hold VM disks now (enabled, content `images`). */
export function imageStorages(facts: ClusterFacts, node: string): StorageInfo[] {
  return (facts.storages[node] ?? []).filter((s) => s.enabled && s.content.includes("images"));
}

/** The template's volumes that live on storage local to its node (or a host CD-ROM drive). */
export function localVolumes(facts: ClusterFacts, node: string, config: PveConfig): { key: string; storage: string }[] {
  const storages = facts.storages[node] ?? [];
  return volumeStorages(config).filter((v) => v.storage === "cdrom" || !storages.find((s) => s.storage === v.storage)?.shared);
}

/**
 * Where a clone of the template can go: for each node, the storages that work there, or why
 * none does. Used by the wizard to offer only placements that work.
 */
export function placementsFor(facts: ClusterFacts, templateNode: string, config: PveConfig): { node: string; storages: string[]; reason?: string }[] {
  const local = localVolumes(facts, templateNode, config);
  return facts.nodes.map((n) => {
    if (!n.online) return { node: n.name, storages: [], reason: `${n.name} is offline` };
    const here = imageStorages(facts, n.name);
    if (n.name === templateNode) return { node: n.name, storages: here.map((s) => s.storage), ...(here.length ? {} : { reason: `${n.name} has no storage for VM disks` }) };
    if (local.length) return { node: n.name, storages: [], reason: `the template's disks are on ${templateNode}'s local storage (${[...new Set(local.map((v) => v.storage))].join(", ")})` };
    const source = imageStorages(facts, templateNode).map((s) => s.storage);
    const shared = here.filter((s) => s.shared && source.includes(s.storage)).map((s) => s.storage);
    return { node: n.name, storages: shared, ...(shared.length ? {} : { reason: `no shared storage for VM disks reaches both ${templateNode} and ${n.name}` }) };
  });
}

/**
 * Every reason PVE would refuse this clone (or the settings and start after it), each saying
 * what would work; empty when it would succeed.
 */
export function cloneProblems(facts: ClusterFacts, r: CloneRequest): string[] {
  const problems: string[] = [];
  const node = (name: string) => facts.nodes.find((n) => n.name === name);
  const target = node(r.target);
  const online = facts.nodes.filter((n) => n.online).map((n) => n.name);
  if (!target) return [`Invalid target node: "${r.target}" is not a node of ${r.connection} (nodes: ${facts.nodes.map((n) => n.name).join(", ")})`];
  if (!target.online) return [`Node ${r.target} is offline: choose one of ${list(online)}`];
  if (!node(r.templateNode)?.online) return [`${r.templateName} lives on ${r.templateNode}, which is offline: it cannot be cloned until ${r.templateNode} is back`];

  const onTarget = (facts.storages[r.target] ?? []).find((s) => s.storage === r.storage);
  const usable = imageStorages(facts, r.target);
  const sameNode = r.target === r.templateNode;
  const local = localVolumes(facts, r.templateNode, r.templateConfig);

  if (!sameNode && local.length) {
    // qemu-server: "can't clone VM to node '<target>' (VM uses local storage)"
    const where = [...new Set(local.map((v) => (v.storage === "cdrom" ? "a host CD-ROM drive" : v.storage)))].join(", ");
    problems.push(`${r.templateName} lives on ${r.templateNode}'s local storage (${where}): choose ${r.templateNode}, or a template on shared storage`);
  } else if (!onTarget) {
    problems.push(`Storage "${r.storage}" is not available on ${r.target}: choose one of ${list(usable.map((s) => s.storage))}`);
  } else if (!onTarget.enabled) {
    problems.push(`Storage "${r.storage}" is disabled on ${r.target}: choose one of ${list(usable.map((s) => s.storage))}`);
  } else if (!onTarget.content.includes("images")) {
    // PVE: "storage '<id>' does not support vm images"
    problems.push(`Storage "${r.storage}" does not hold VM disks (its content is ${list(onTarget.content)}): choose one of ${list(usable.map((s) => s.storage))}`);
  } else if (!sameNode) {
    const onSource = (facts.storages[r.templateNode] ?? []).find((s) => s.storage === r.storage);
    const shared = usable.filter((s) => s.shared && imageStorages(facts, r.templateNode).some((t) => t.storage === s.storage)).map((s) => s.storage);
    if (!onTarget.shared) {
      // qemu-server: "can't clone to non-shared storage '<id>'"
      problems.push(`${r.templateName} lives on ${r.templateNode}: a clone to ${r.target} needs a shared storage, and "${r.storage}" is local to each node: choose ${shared.length ? `${list(shared)}, or ` : ""}${r.templateNode}`);
    } else if (!onSource?.enabled) {
      // storage_check_enabled runs on the template's node too.
      problems.push(`Storage "${r.storage}" is not available on ${r.templateNode}, where ${r.templateName} lives: choose ${shared.length ? list(shared) : r.templateNode}`);
    }
  }

  // What the request changes in the template's settings.
  const disk = bootDisk(r.templateConfig);
  const templateGb = disk ? diskSizeGb(r.templateConfig[disk]) : undefined;
  if (templateGb !== undefined && r.diskGb < Math.ceil(templateGb)) {
    problems.push(`diskSize must be at least ${formatGb(templateGb)} GB: ${r.templateName}'s boot disk (${disk}) is ${formatGb(templateGb)} GB, and disks never shrink`);
  }
  if (target.cpus !== undefined && r.cpuCores > target.cpus) {
    // config_to_command: "MAX <n> vcpus allowed per VM on this node"
    problems.push(`cpuCores must be at most ${target.cpus}: ${r.target} has ${target.cpus} CPUs`);
  }
  const balloon = Number(r.templateConfig.balloon ?? 0);
  if (balloon > 0 && r.memoryMb < balloon) {
    // "balloon value too large (must be smaller than assigned memory)"
    problems.push(`memorySize must be at least ${balloon} MB: ${r.templateName} keeps at least ${balloon} MB for its memory balloon`);
  }
  return problems;
}

const formatGb = (gb: number) => (Number.isInteger(gb) ? String(gb) : gb.toFixed(1));
