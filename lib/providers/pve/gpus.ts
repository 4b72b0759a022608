import { ProviderError } from "../types";
import type { PveClient, PvePciMapping } from "./client";

/**
 * GPUs on a PVE cluster: the connection's `gpuMappings` name, per portal GPU type, PCI resource
 * mappings (`/cluster/mapping/pci`). A mapping lists devices per node; a VM with
 * `hostpciN: mapping=<id>` gets, when it starts, the first device of that mapping on its node
 * that no running VM holds (qemu-server's choose_hostpci_devices), so a mapping on a node serves
 * as many running VMs as it has devices there. PVE keeps no other record of who holds a device:
 * it is read from the running VMs' configurations.
 */

/** What PVE reports about the mapped devices now. */
export type PciUsage = {
  mappings: PvePciMapping[];
  /** mapping id → node → hostpci entries of running VMs that name the mapping */
  running: Map<string, Map<string, number>>;
  /** mapping id → node → hostpci entries of any VM (running or not, templates left out) that name the mapping; only when asked for */
  configured?: Map<string, Map<string, number>>;
  /** node → PCI paths passed through directly (`hostpciN: 0000:01:00`) by running VMs */
  rawPaths: Map<string, Set<string>>;
};

/** `hostpciN` values of a configuration: `{mapping}` or `{host}` (a path), `pcie` as set. */
export function hostpciEntries(config: Record<string, string | number>): { key: string; mapping?: string; host?: string; pcie: boolean }[] {
  return Object.entries(config)
    .filter(([k]) => /^hostpci\d+$/.test(k))
    .map(([key, value]) => {
      const parts = String(value).split(",");
      const kv = new Map<string, string>();
      for (const part of parts) {
        const eq = part.indexOf("=");
        if (eq < 0) kv.set("host", part);
        else kv.set(part.slice(0, eq), part.slice(eq + 1));
      }
      const mapping = kv.get("mapping");
      const host = kv.get("host");
      return { key, ...(mapping ? { mapping } : {}), ...(host ? { host } : {}), pcie: kv.get("pcie") === "1" };
    })
    .sort((a, b) => Number(a.key.slice(7)) - Number(b.key.slice(7)));
}

/** `machine: q35`, `pc-q35-9.0`, `type=q35,viommu=…`: a q35 machine (what `pcie=1` needs). */
export function isQ35(machine: string | number | undefined): boolean {
  const type = String(machine ?? "").replace(/^type=/, "").split(",")[0] ?? "";
  return /^(q35|pc-q35-)/.test(type);
}

const bump = (m: Map<string, Map<string, number>>, id: string, node: string) => {
  const byNode = m.get(id) ?? new Map<string, number>();
  byNode.set(node, (byNode.get(node) ?? 0) + 1);
  m.set(id, byNode);
};

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Reads the mappings named by `ids` and who uses their devices: the configuration (as it runs,
 * `current`) of every VM on a node with such a device that is not known to be stopped; with
 * `configuredOn`, also every VM's configuration on that node (pending changes included), to tell
 * which mappings VMs that are not running yet will ask for. Eight configurations at a time.
 */
export async function readPciUsage(client: PveClient, ids: ReadonlySet<string>, options: { configuredOn?: string } = {}): Promise<PciUsage> {
  const mappings = (await client.pciMappings()).filter((m) => ids.has(m.id));
  const nodes = new Set(mappings.flatMap((m) => m.devices.map((d) => d.node)));
  const usage: PciUsage = { mappings, running: new Map(), rawPaths: new Map(), ...(options.configuredOn ? { configured: new Map() } : {}) };
  if (nodes.size === 0) return usage;
  const vms = (await client.clusterResources("vm")).filter((r) => r.type === "qemu" && !r.template && r.node && nodes.has(r.node) && r.vmid !== undefined);
  const wanted = vms.filter((r) => r.status !== "stopped" || r.node === options.configuredOn);
  await eachLimited(wanted, 8, async (r) => {
    const node = r.node!;
    const maybeRunning = r.status !== "stopped";
    const [current, next] = await Promise.all([
      maybeRunning ? client.vmConfig(node, r.vmid!, { current: true }).catch(() => null) : Promise.resolve(null),
      usage.configured && node === options.configuredOn ? client.vmConfig(node, r.vmid!).catch(() => null) : Promise.resolve(null),
    ]);
    // A VM whose status is unknown (new, no statistics yet) counts as running only when PVE says so.
    const running = r.status === "running" || (maybeRunning && (await client.currentStatus(node, r.vmid!).then((s) => s.state !== "stopped").catch(() => false)));
    if (running && current) {
      for (const e of hostpciEntries(current)) {
        if (e.mapping && ids.has(e.mapping)) bump(usage.running, e.mapping, node);
        else if (e.host) for (const path of e.host.split(";")) usage.rawPaths.set(node, (usage.rawPaths.get(node) ?? new Set()).add(path));
      }
    }
    if (next && usage.configured) for (const e of hostpciEntries(next)) if (e.mapping && ids.has(e.mapping)) bump(usage.configured, e.mapping, node);
  });
  return usage;
}

/** Devices of one mapping on one node, those a raw passthrough does not hold. */
function devicesOn(usage: PciUsage, mapping: PvePciMapping, node: string): number {
  const raw = usage.rawPaths.get(node);
  return mapping.devices.filter((d) => d.node === node && !raw?.has(d.path)).length;
}

/** Free devices of one mapping on one node: its devices less the running VMs' entries naming it. */
export function freeOfMapping(usage: PciUsage, id: string, node: string): number {
  const mapping = usage.mappings.find((m) => m.id === id);
  if (!mapping) return 0;
  return Math.max(0, devicesOn(usage, mapping, node) - (usage.running.get(id)?.get(node) ?? 0));
}

/** One GPU type's devices: per node, the total and the free; `total` counts a device listed by two of the type's mappings once. */
export function typeSummary(usage: PciUsage, mappingIds: readonly string[]): { total: number; perNode: Map<string, { total: number; free: number }> } {
  const perNode = new Map<string, { total: number; free: number }>();
  const seen = new Set<string>();
  let total = 0;
  for (const id of mappingIds) {
    const mapping = usage.mappings.find((m) => m.id === id);
    if (!mapping) continue;
    for (const d of mapping.devices) {
      if (seen.has(`${d.node}/${d.path}`)) continue;
      seen.add(`${d.node}/${d.path}`);
      total++;
      const entry = perNode.get(d.node) ?? { total: 0, free: 0 };
      entry.total++;
      perNode.set(d.node, entry);
    }
  }
  for (const [node, entry] of perNode) entry.free = Math.min(entry.total, mappingIds.reduce((n, id) => n + freeOfMapping(usage, id, node), 0));
  return { total, perNode };
}

/**
 * The mapping id for each of `count` GPUs of a VM on `node`, from the type's mappings: the one with
 * the most free devices first, and among those the one fewer VMs are configured to ask for
 * (VMs being built that have not started yet). Throws a `capacity` ProviderError when the node
 * has fewer than `count` free devices of the type.
 */
export function chooseMappings(usage: PciUsage, mappingIds: readonly string[], node: string, count: number, label: string): string[] {
  const free = new Map(mappingIds.map((id) => [id, freeOfMapping(usage, id, node)]));
  const spare = new Map(
    mappingIds.map((id) => {
      const mapping = usage.mappings.find((m) => m.id === id);
      return [id, (mapping ? devicesOn(usage, mapping, node) : 0) - (usage.configured?.get(id)?.get(node) ?? 0)];
    }),
  );
  const chosen: string[] = [];
  for (let i = 0; i < count; i++) {
    const best = [...free.entries()].filter(([, f]) => f > 0).sort((a, b) => b[1] - a[1] || (spare.get(b[0]) ?? 0) - (spare.get(a[0]) ?? 0))[0];
    if (!best) {
      const freeNow = mappingIds.reduce((n, id) => n + freeOfMapping(usage, id, node), 0);
      throw new ProviderError("capacity", `No free ${label} GPU on ${node} for ${count} device${count === 1 ? "" : "s"} (${freeNow} free)`);
    }
    chosen.push(best[0]);
    free.set(best[0], best[1] - 1);
    spare.set(best[0], (spare.get(best[0]) ?? 0) - 1);
  }
  return chosen;
}
