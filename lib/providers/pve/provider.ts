import { PveClient, type PveAuth } from "./client";
import {
  ProviderError,
  type Accepted,
  type ActionOutcome,
  type CreateRequest,
  type CreateResult,
  type Discovery,
  type Precheck,
  type ProviderClient,
  type ProviderConnectionConfig,
  type ProviderLogLine,
  type ProviderRef,
  type ProviderStep,
  type ProviderVm,
  type StepContext,
  type VmAction,
  type VmActionParams,
  type VmStatus,
} from "../types";
import { pveCreateOptions, pveRef, pveTemplateSettings, refOf, DEFAULT_STORAGE, type PveCreateOptions, type PveLocation } from "./module-schemas";

const GiB = 1024 ** 3;

/** Credentials as stored for a PVE connection (lib/config/apply.ts providerCredentials). */
export function pveAuth(credentials: Record<string, string>): PveAuth {
  if (credentials.tokenId && credentials.secret) return { type: "token", tokenId: credentials.tokenId, secret: credentials.secret };
  if (credentials.username && credentials.password) {
    return { type: "ticket", username: credentials.username, password: credentials.password, realm: credentials.realm ?? "pam" };
  }
  throw new ProviderError("auth", "This PVE connection has no usable credentials (tokenId + secret, or username + password)");
}

/** Size in GiB of a disk property string such as `local-lvm:vm-100-disk-0,size=32G`. */
export function diskSizeGb(value: string | undefined): number | undefined {
  const m = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)/.exec(value ?? "");
  if (!m) return undefined;
  const factor = { "": 1 / GiB, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 }[m[2] as "" | "K" | "M" | "G" | "T"];
  return Number(m[1]) * factor;
}

const BOOT_DISKS = ["scsi0", "virtio0", "sata0", "ide0"];

/** The VM's boot disk: the first of scsi0, virtio0, sata0, ide0 that is not a CD-ROM. */
export function bootDisk(config: Record<string, string | number>): string {
  return BOOT_DISKS.find((d) => typeof config[d] === "string" && !String(config[d]).includes("media=cdrom")) ?? "scsi0";
}

/** Memory in MB of a `memory` property: `2048` or (PVE 8.1+) `current=2048[,...]`. */
export function memoryMbOf(value: string | number | undefined): number | undefined {
  if (typeof value === "number") return value;
  const m = /(?:^|current=)(\d+)/.exec(value ?? "");
  return m ? Number(m[1]) : undefined;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 180;

/** What the create steps work with, from a checked request and the accepted reference. */
type CreateSpec = {
  template: PveLocation;
  targetNode: string;
  vmid: number;
  name: string;
  cpuCores: number;
  memoryMb: number;
  diskGb: number;
  storage: string;
  ciuser?: string;
  cipassword?: string;
  sshKeys?: string[];
  description?: string;
};

const GiBytes = (bytes?: number) => (bytes === undefined ? "—" : `${Math.round(bytes / GiB)} GiB`);

/**
 * Proxmox VE behind the common provider interface. The create flow: full clone into the
 * requested storage on the target node → wait → cores, memory, name and cloud-init → resize
 * the disk → start → wait → the IP from the guest agent. Each step first checks what already
 * happened, so a retried job never clones twice.
 */
export class PveProvider implements ProviderClient {
  readonly kind = "pve" as const;
  readonly client: PveClient;

  constructor(
    private readonly config: ProviderConnectionConfig,
    private readonly timing = { agentTimeoutMs: 10 * 60_000, agentPollMs: 2_000, taskPollMs: 1_000 },
  ) {
    this.client = new PveClient({
      baseUrl: config.baseUrl,
      auth: pveAuth(config.credentials),
      tls: config.tls,
      timeoutMs: config.timeouts?.requestMs,
      callTimeoutMs: config.timeouts?.callMs,
    });
  }

  close(): void {
    this.client.close();
  }

  async testConnection() {
    const v = await this.client.version();
    return { version: v.version };
  }

  homeOf(ref: ProviderRef): string | null {
    return refOf(ref).node;
  }

  async placements() {
    return (await this.client.nodes()).map((n) => ({ name: n.name, online: n.online }));
  }

  async discover(): Promise<Discovery> {
    const nodes = [...(await this.client.nodes())].sort((a, b) => a.name.localeCompare(b.name));
    const storages = (await Promise.all(nodes.filter((n) => n.online).map((n) => this.client.storages(n.name))))
      .flat()
      .sort((a, b) => a.node.localeCompare(b.node) || a.storage.localeCompare(b.storage));
    const templates = [...(await this.client.templates())].sort((a, b) => a.vmid - b.vmid);
    return {
      inventory: [
        { title: "Nodes", columns: ["Node", "State", "CPUs", "Memory"], rows: nodes.map((n) => [n.name, n.online ? "online" : "offline", n.cpus === undefined ? "—" : String(n.cpus), GiBytes(n.memoryBytes)]) },
        {
          title: "Storages",
          columns: ["Node", "Storage", "Type", "Free"],
          rows: storages.map((s) => [s.node, `${s.storage}${s.shared ? " (shared)" : ""}`, s.type ?? "—", GiBytes(s.availableBytes)]),
        },
      ],
      templates: templates.map((t) => ({ ref: pveRef(t.node, t.vmid), name: t.name, where: `vmid ${t.vmid} on ${t.node}`, size: { cpuCores: t.cpuCores, memoryMb: t.memoryMb, diskGb: t.diskGb } })),
    };
  }

  /** The create options with their defaults: the storage is the request's, the template's, the connection's default, then "NFS". */
  private optionsOf(request: CreateRequest): PveCreateOptions & { storage: string } {
    const options = pveCreateOptions.parse(request.options);
    const template = pveTemplateSettings.parse(request.template.settings ?? {});
    const defaultStorage = typeof this.config.settings.defaultStorage === "string" ? this.config.settings.defaultStorage : undefined;
    return { ...options, storage: options.storage ?? template.storage ?? defaultStorage ?? DEFAULT_STORAGE };
  }

  async precheck(request: CreateRequest): Promise<Precheck> {
    const options = this.optionsOf(request);
    const nodes = await this.client.nodes();
    const problems: string[] = [];
    if (!nodes.some((n) => n.name === options.target)) {
      problems.push(`Invalid target node: "${options.target}" is not a node of ${this.config.name} (nodes: ${nodes.map((n) => n.name).join(", ")})`);
    }
    // The next issue reads storages and the template's configuration here.
    return { problems, options };
  }

  async accept(request: CreateRequest, taken: (refId: string) => Promise<boolean>): Promise<Accepted> {
    const options = this.optionsOf(request);
    const vmid = await this.allocateVmId((id) => taken(String(id)));
    return { ref: pveRef(options.target, vmid), step: { key: "allocate_vmid", name: "Allocate VMID" }, describe: `on ${options.target}, storage ${options.storage}, VMID ${vmid}` };
  }

  private specOf(request: CreateRequest, accepted: ProviderRef | null): CreateSpec {
    const options = this.optionsOf(request);
    const at = accepted ? refOf(accepted) : null;
    if (!at) throw new ProviderError("server", "The create request has no VMID");
    return {
      template: refOf(request.template.ref),
      targetNode: options.target,
      vmid: at.vmid,
      name: request.name,
      cpuCores: request.size.cpuCores,
      memoryMb: request.size.memoryMb,
      diskGb: request.size.diskGb,
      storage: options.storage,
      ciuser: request.cloudInit.user,
      cipassword: request.cloudInit.password,
      sshKeys: request.cloudInit.sshKeys,
      description: request.description,
    };
  }

  createSteps(request: CreateRequest, accepted: ProviderRef | null): ProviderStep[] {
    return this.provisionSteps(this.specOf(request, accepted));
  }

  madeRef(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): ProviderRef | null {
    if (facts.cloned !== true) return null;
    const spec = this.specOf(request, accepted);
    return pveRef(spec.targetNode, typeof facts.vmid === "number" ? facts.vmid : spec.vmid);
  }

  createResult(request: CreateRequest, accepted: ProviderRef | null, facts: Readonly<Record<string, unknown>>): CreateResult {
    const spec = this.specOf(request, accepted);
    const ref = pveRef(spec.targetNode, typeof facts.vmid === "number" ? facts.vmid : spec.vmid);
    return { ref, addresses: typeof facts.ipAddress === "string" ? [facts.ipAddress] : [], size: request.size, notices: [] };
  }

  cleanupSteps(ref: ProviderRef): ProviderStep[] {
    return [{ key: "remove_half_made", name: "Remove the half-made VM", run: (ctx) => this.destroyVm(refOf(ref), (lines) => ctx.log(lines)) }];
  }

  actionOutcome(action: VmAction, facts: Readonly<Record<string, unknown>>): ActionOutcome {
    const pendingRestart = action === "resize" && facts.pendingUntilRestart === true;
    return { notices: pendingRestart ? ["The new CPU cores and memory apply after the VM's next restart"] : [], pendingRestart };
  }

  describe(ref: ProviderRef): string {
    const { node, vmid } = refOf(ref);
    return `VMID ${vmid} on ${node}`;
  }

  async allocateVmId(taken: (vmid: number) => Promise<boolean>): Promise<number> {
    let candidate = await this.client.nextId();
    // Skip ids the portal handed out a moment ago whose clone has not reached PVE yet.
    for (let i = 0; i < 50 && (await taken(candidate)); i++) candidate += 1;
    return candidate;
  }

  /**
   * Polls a VM's current status until PVE no longer holds its `clone` lock (the clone task
   * ended). Throws a retryable ProviderError after `timeoutMs` (default 30 min).
   */
  private async waitUnlocked(node: string, vmid: number, timeoutMs = 30 * 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.client.currentStatus(node, vmid)).lock === "clone") {
      if (Date.now() > deadline) throw new ProviderError("locked", `VM ${vmid} is still locked by its clone`);
      await new Promise((r) => setTimeout(r, this.timing.taskPollMs));
    }
  }

  private wait(upid: string, ctx: StepContext, timeoutMs?: number) {
    return this.client.waitForTask(upid, { pollMs: this.timing.taskPollMs, timeoutMs, onLog: (lines: ProviderLogLine[]) => ctx.log(lines) });
  }

  /**
   * Runs one PVE task for a step, exactly once: a UPID remembered by an earlier attempt of the
   * step is waited for instead of starting the operation again. `issue` may answer null (PVE
   * had nothing to run, or answered synchronously).
   */
  private async track(ctx: StepContext, key: string, issue: () => Promise<string | null>, timeoutMs?: number): Promise<void> {
    const remembered = ctx.facts[`${key}Upid`];
    if (typeof remembered === "string") {
      await ctx.log(`Resuming: waiting for ${remembered}`);
      await this.wait(remembered, ctx, timeoutMs);
      return;
    }
    const upid = await issue();
    if (!upid) return;
    await ctx.remember({ [`${key}Upid`]: upid });
    await ctx.recordProviderTask(upid);
    await this.wait(upid, ctx, timeoutMs);
  }

  actionSteps(action: VmAction, ref: ProviderRef, params: VmActionParams = {}): ProviderStep[] {
    const location = refOf(ref);
    const { node, vmid } = location;
    const label = `VM ${vmid} on ${node}`;
    const state = () => this.client.currentStatus(node, vmid);
    const startStep: ProviderStep = {
      key: "start",
      name: "Start VM",
      run: async (ctx) => {
        if (typeof ctx.facts.startUpid !== "string" && (await state()).state !== "stopped") {
          await ctx.log(`${label} is already running; nothing to start`);
          return;
        }
        await this.track(ctx, "start", () => this.client.start(node, vmid));
        await ctx.log(`${label} is running`);
      },
    };
    /** A hard stop; with `gone: true` a VM that no longer exists counts as stopped (delete). */
    const stopStep = (gone: boolean): ProviderStep => ({
      key: "stop",
      name: "Stop VM",
      run: async (ctx) => {
        if (gone && !(await this.client.vmExists(node, vmid))) {
          await ctx.log(`${label} no longer exists; nothing to stop`);
          return;
        }
        if (typeof ctx.facts.stopUpid !== "string" && (await state()).state === "stopped") {
          await ctx.log(`${label} is already stopped`);
          return;
        }
        await this.track(ctx, "stop", () => this.client.stop(node, vmid));
        await ctx.log(`${label} is stopped`);
      },
    });

    switch (action) {
      case "start":
        return [startStep];
      case "stop":
        return [stopStep(false)];
      case "shutdown": {
        const timeout = params.shutdownTimeoutSeconds ?? DEFAULT_SHUTDOWN_TIMEOUT_SECONDS;
        return [
          {
            key: "shutdown",
            name: "Shut down the guest",
            run: async (ctx) => {
              if (typeof ctx.facts.shutdownUpid !== "string" && (await state()).state === "stopped") {
                await ctx.log(`${label} is already stopped`);
                return;
              }
              await ctx.log(`Asking the guest to shut down (ACPI or guest agent), waiting up to ${timeout} s`);
              try {
                // Our own wait gives PVE's timeout a margin; either ending falls back to a stop.
                await this.track(ctx, "shutdown", () => this.client.shutdown(node, vmid, { timeout }), (timeout + 60) * 1000);
              } catch (error) {
                if (!(error instanceof ProviderError) || (error.kind !== "task_failed" && error.kind !== "server")) throw error;
                await ctx.remember({ cleanShutdownFailed: error.message });
                await ctx.log(`The guest did not shut down cleanly: ${error.message}`);
              }
            },
          },
          {
            key: "force_stop",
            name: "Stop if still running",
            run: async (ctx) => {
              if (typeof ctx.facts.force_stopUpid !== "string" && (await state()).state === "stopped") {
                await ctx.log(ctx.facts.cleanShutdownFailed ? `${label} is stopped` : `${label} shut down cleanly; no stop needed`);
                return;
              }
              await ctx.log(`${label} is still running after the shutdown request; stopping it (hard stop)`);
              await this.track(ctx, "force_stop", () => this.client.stop(node, vmid));
              await ctx.log(`${label} is stopped`);
            },
          },
        ];
      }
      case "reboot":
        return [
          {
            key: "reboot",
            name: "Reboot VM",
            run: async (ctx) => {
              if (typeof ctx.facts.rebootUpid !== "string" && (await state()).state === "stopped") {
                await ctx.log(`${label} is stopped; starting it instead of rebooting`);
                await this.track(ctx, "reboot", () => this.client.start(node, vmid));
              } else {
                await this.track(ctx, "reboot", () => this.client.reboot(node, vmid));
              }
              await ctx.log(`${label} is running (pending configuration changes are now applied)`);
            },
          },
        ];
      case "delete":
        return [
          stopStep(true),
          {
            key: "destroy",
            name: "Destroy VM and its disks",
            run: async (ctx) => {
              if (!(await this.client.vmExists(node, vmid))) {
                await ctx.log(`${label} no longer exists; nothing to destroy`);
                return;
              }
              await this.track(ctx, "destroy", () => this.client.destroy(node, vmid));
              await ctx.log(`${label} destroyed, with its disks, and purged from backup jobs, replication and HA`);
            },
          },
        ];
      case "resize":
        return this.resizeSteps(location, params.resize ?? {});
    }
  }

  private resizeSteps(ref: PveLocation, want: NonNullable<VmActionParams["resize"]>): ProviderStep[] {
    const { node, vmid } = ref;
    const steps: ProviderStep[] = [];
    if (want.cpuCores !== undefined || want.memoryMb !== undefined) {
      steps.push({
        key: "configure",
        name: "Set CPU cores and memory",
        run: async (ctx) => {
          // GET config shows pending values: what the VM will have after its next restart.
          const config = await this.client.vmConfig(node, vmid);
          const change: { cores?: number; memory?: number } = {};
          if (want.cpuCores !== undefined && Number(config.cores ?? 1) !== want.cpuCores) change.cores = want.cpuCores;
          if (want.memoryMb !== undefined && memoryMbOf(config.memory) !== want.memoryMb) change.memory = want.memoryMb;
          const wanted = [want.cpuCores !== undefined && `${want.cpuCores} cores`, want.memoryMb !== undefined && `${want.memoryMb} MB memory`].filter(Boolean).join(", ");
          if (change.cores === undefined && change.memory === undefined) {
            await ctx.log(`VM ${vmid} is already configured with ${wanted}`);
          } else {
            await this.client.updateConfig(node, vmid, change);
            await ctx.log(`Set ${wanted}`);
          }
          const status = await this.client.currentStatus(node, vmid);
          if (status.state !== "stopped") {
            const live =
              (want.cpuCores === undefined || status.cpus === want.cpuCores) && (want.memoryMb === undefined || status.memoryMb === undefined || Math.round(status.memoryMb) === want.memoryMb);
            if (!live) {
              await ctx.remember({ pendingUntilRestart: true });
              await ctx.log(
                `The VM is running, so PVE keeps the new CPU cores and memory pending: it still runs with ${status.cpus ?? "?"} cores and ${status.memoryMb !== undefined ? Math.round(status.memoryMb) : "?"} MB until it is restarted. Reboot it (or stop and start it) to apply the new size.`,
              );
            }
          }
        },
      });
    }
    if (want.diskGb !== undefined) {
      const wanted = want.diskGb;
      steps.push({
        key: "grow_disk",
        name: "Grow disk",
        run: async (ctx) => {
          const config = await this.client.vmConfig(node, vmid);
          const disk = bootDisk(config);
          const current = diskSizeGb(config[disk] as string | undefined);
          if (typeof ctx.facts.grow_diskUpid !== "string" && current !== undefined && current >= wanted) {
            await ctx.log(`Disk ${disk} is already ${current} GB; nothing to grow (disks never shrink)`);
            return;
          }
          // An absolute size: running the step twice can never grow the disk twice.
          await this.track(ctx, "grow_disk", () => this.client.resize(node, vmid, disk, `${wanted}G`));
          await ctx.log(`Disk ${disk} grown${current !== undefined ? ` from ${current} GB` : ""} to ${wanted} GB`);
        },
      });
    }
    return steps;
  }

  private provisionSteps(spec: CreateSpec): ProviderStep[] {
    const node = spec.targetNode;
    const vmidOf = (ctx: StepContext) => (typeof ctx.facts.vmid === "number" ? ctx.facts.vmid : spec.vmid);
    return [
      {
        key: "clone",
        name: "Clone template",
        run: async (ctx) => {
          let vmid = vmidOf(ctx);
          if (typeof ctx.facts.cloneUpid === "string" && ctx.facts.cloned === true) {
            await this.wait(ctx.facts.cloneUpid, ctx); // resumed after a crash: the clone was started
            return;
          }
          for (let attempt = 0; attempt < 5; attempt++) {
            if (await this.client.vmExists(node, vmid)) {
              const config = await this.client.vmConfig(node, vmid).catch(() => undefined);
              if (config?.name === spec.name && ctx.facts.cloned === true) return; // ours, from an earlier attempt
              // An earlier attempt asked PVE for this clone but died before it could remember the
              // UPID. While PVE clones, the new config holds only `lock: clone` (qemu-server writes a
              // temporary file), so wait for the lock to clear, then the name tells whose clone it was.
              if (ctx.facts.cloneRequested === vmid) {
                await ctx.log(`Resuming: VM ${vmid} exists; waiting for a clone of an earlier attempt to finish`);
                await this.waitUnlocked(node, vmid);
                const after = await this.client.vmConfig(node, vmid).catch(() => undefined);
                if (after?.name === spec.name) {
                  await ctx.remember({ vmid, cloned: true });
                  return;
                }
              }
              vmid = await this.allocateVmId(async (id) => id === vmid);
              continue;
            }
            try {
              // Remembered before the request, so that a worker dying between PVE's answer and
              // remembering the UPID still recognises the clone as its own (no second VM).
              await ctx.remember({ vmid, cloneRequested: vmid });
              const upid = await this.client.clone(spec.template.node, spec.template.vmid, {
                newid: vmid,
                name: spec.name,
                full: true,
                storage: spec.storage,
                target: node !== spec.template.node ? node : undefined,
                description: spec.description,
              });
              await ctx.remember({ vmid, cloned: true, cloneUpid: upid });
              await ctx.recordProviderTask(upid);
              await this.wait(upid, ctx);
              return;
            } catch (error) {
              // nextid can hand the same id to two callers: take a new one and try again.
              if (error instanceof ProviderError && /already exists/.test(error.message) && ctx.facts.cloned !== true) {
                await ctx.log(`VMID ${vmid} was taken meanwhile (${error.message}); taking another`);
                vmid = await this.allocateVmId(async (id) => id <= vmid);
                continue;
              }
              throw error;
            }
          }
          throw new ProviderError("conflict", "Could not find a free VMID after 5 attempts");
        },
      },
      {
        key: "configure",
        name: "Configure CPU, memory, name and cloud-init",
        run: async (ctx) => {
          await this.client.updateConfig(node, vmidOf(ctx), {
            cores: spec.cpuCores,
            memory: spec.memoryMb,
            name: spec.name,
            ipconfig0: "ip=dhcp",
            ...(spec.ciuser ? { ciuser: spec.ciuser } : {}),
            ...(spec.cipassword ? { cipassword: spec.cipassword } : {}),
            ...(spec.sshKeys?.length ? { sshkeys: spec.sshKeys.join("\n") } : {}),
          });
          await ctx.log(`Set ${spec.cpuCores} cores, ${spec.memoryMb} MB memory, name ${spec.name}, cloud-init (ip=dhcp${spec.ciuser ? `, user ${spec.ciuser}` : ""})`);
        },
      },
      {
        key: "resize",
        name: "Resize disk",
        run: async (ctx) => {
          const vmid = vmidOf(ctx);
          const config = await this.client.vmConfig(node, vmid);
          const disk = bootDisk(config);
          const current = diskSizeGb(config[disk] as string | undefined);
          if (current !== undefined && current >= spec.diskGb) {
            await ctx.log(`Disk ${disk} is already ${current} GB; nothing to resize`);
            return;
          }
          const upid = await this.client.resize(node, vmid, disk, `${spec.diskGb}G`);
          if (upid) {
            await ctx.recordProviderTask(upid);
            await this.wait(upid, ctx);
          }
          await ctx.log(`Disk ${disk} resized to ${spec.diskGb} GB`);
        },
      },
      {
        key: "start",
        name: "Start VM",
        run: async (ctx) => {
          const vmid = vmidOf(ctx);
          const status = await this.client.currentStatus(node, vmid);
          if (status.state === "running") return;
          const upid = await this.client.start(node, vmid);
          await ctx.recordProviderTask(upid);
          await this.wait(upid, ctx);
        },
      },
      {
        key: "agent",
        name: "Wait for the guest agent and read the IP",
        run: async (ctx) => {
          const vmid = vmidOf(ctx);
          const deadline = Date.now() + this.timing.agentTimeoutMs;
          let lastError = "";
          while (Date.now() < deadline) {
            try {
              const addresses = await this.client.agentNetworkInterfaces(node, vmid);
              const ip = addresses.find((a) => a.family === "ipv4")?.address ?? addresses[0]?.address;
              if (ip) {
                await ctx.remember({ ipAddress: ip });
                await ctx.log(`Guest agent reports ${addresses.map((a) => a.address).join(", ")}`);
                return;
              }
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              if (message !== lastError) await ctx.log(`Waiting for the guest agent: ${message}`);
              lastError = message;
            }
            await new Promise((r) => setTimeout(r, this.timing.agentPollMs));
          }
          throw new ProviderError("server", `The guest agent did not report an IP address within ${Math.round(this.timing.agentTimeoutMs / 1000)} s`);
        },
      },
    ];
  }

  private async destroyVm(ref: PveLocation, log?: (lines: ProviderLogLine[] | string) => Promise<void>): Promise<void> {
    if (!(await this.client.vmExists(ref.node, ref.vmid))) return;
    const status = await this.client.currentStatus(ref.node, ref.vmid);
    if (status.state === "running" || status.state === "paused") {
      const stop = await this.client.stop(ref.node, ref.vmid);
      await this.client.waitForTask(stop, { pollMs: this.timing.taskPollMs, onLog: log });
    }
    const upid = await this.client.destroy(ref.node, ref.vmid);
    await this.client.waitForTask(upid, { pollMs: this.timing.taskPollMs, onLog: log });
  }

  async listVms(): Promise<ProviderVm[]> {
    const resources = await this.client.clusterResources("vm");
    return resources
      .filter((r) => !r.template && r.vmid !== undefined && r.type === "qemu")
      .map((r) => ({
        ref: pveRef(r.node ?? "", r.vmid!),
        name: r.name ?? "",
        status: r.status ?? "unknown",
        size: {
          cpuCores: r.maxcpu,
          memoryMb: r.maxmem !== undefined ? Math.round(r.maxmem / 1024 ** 2) : undefined,
          diskGb: r.maxdisk !== undefined ? Math.round(r.maxdisk / GiB) : undefined,
        },
      }));
  }

  async status(ref: ProviderRef): Promise<VmStatus> {
    const { node, vmid } = refOf(ref);
    return this.client.currentStatus(node, vmid);
  }
}
