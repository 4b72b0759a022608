import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StepContext } from "../types";
import { pveRef } from "./module-schemas";
import { PveProvider } from "./provider";
import { startTestSim, TOKEN_ID, TOKEN_SECRET } from "./simulator/test-helpers";
import type { PveSimulator } from "./simulator";

/**
 * The action steps against the simulator, each run twice: a step run again (a retried job, or a
 * worker that died mid-step) checks the VM's state first, or waits for the PVE task it already
 * started, and never repeats an operation.
 */
let sim: PveSimulator;
let provider: PveProvider;
const ref = pveRef("pve1", 100);

beforeAll(async () => {
  sim = await startTestSim({ taskDurationMs: 30 });
  provider = new PveProvider(
    { name: "lab", kind: "pve", settings: {}, baseUrl: sim.url, credentials: { tokenId: TOKEN_ID, secret: TOKEN_SECRET }, tls: { verify: true } },
    { agentTimeoutMs: 5_000, agentPollMs: 50, taskPollMs: 20 },
  );
});
afterAll(async () => {
  provider.client.close();
  await sim?.stop();
});

/** A step context that keeps what a task row would: remembered facts, UPIDs and log lines. */
function context(state: Record<string, unknown> = {}) {
  const upids: string[] = [];
  const lines: string[] = [];
  const ctx: StepContext = {
    get facts() {
      return state;
    },
    remember: async (facts) => void Object.assign(state, facts),
    recordProviderTask: async (upid) => void upids.push(upid),
    log: async (l) => void lines.push(...(typeof l === "string" ? [l] : l.map((x) => x.t))),
  };
  return { ctx, state, upids, lines };
}

async function run(steps: ReturnType<PveProvider["actionSteps"]>, c = context()) {
  for (const step of steps) await step.run(c.ctx);
  return c;
}

describe("PVE action steps are safe to run again", () => {
  it("stop: a second run waits for the remembered task instead of stopping again; a fresh run sees it stopped", async () => {
    const first = await run(provider.actionSteps("stop", ref));
    expect(first.upids).toEqual([expect.stringMatching(/:qmstop:100:/)]);
    expect(sim.state.vms.get(100)!.running).toBe(false);
    const resumed = await run(provider.actionSteps("stop", ref), context({ ...first.state }));
    expect(resumed.upids).toEqual([]);
    expect(resumed.lines[0]).toBe(`Resuming: waiting for ${first.upids[0]}`);
    const fresh = await run(provider.actionSteps("stop", ref));
    expect(fresh.upids).toEqual([]);
    expect(fresh.lines).toEqual(["VM 100 on pve1 is already stopped"]);
  });

  it("reboot of a stopped VM starts it; start of a running VM does nothing", async () => {
    const reboot = await run(provider.actionSteps("reboot", ref));
    expect(reboot.upids).toEqual([expect.stringMatching(/:qmstart:100:/)]);
    expect(reboot.lines[0]).toBe("VM 100 on pve1 is stopped; starting it instead of rebooting");
    expect(sim.state.vms.get(100)!.running).toBe(true);
    const start = await run(provider.actionSteps("start", ref));
    expect(start.upids).toEqual([]);
    expect(start.lines).toEqual(["VM 100 on pve1 is already running; nothing to start"]);
  });

  it("resize: cores and memory pending on a running VM, the disk grown to an absolute size, once", async () => {
    const steps = () => provider.actionSteps("resize", ref, { resize: { cpuCores: 2, memoryMb: 2048, diskGb: 12 } });
    const first = await run(steps());
    expect(first.upids).toEqual([expect.stringMatching(/:resize:100:/)]);
    expect(first.state.pendingUntilRestart).toBe(true);
    expect(first.lines.join("\n")).toMatch(/still runs with 1 cores and 1024 MB until it is restarted/);
    expect(sim.state.vms.get(100)!.pending).toMatchObject({ cores: "2", memory: "2048" });
    expect(sim.state.vms.get(100)!.config.scsi0).toMatch(/size=12G/);
    const again = await run(steps());
    expect(again.upids).toEqual([]);
    expect(again.lines).toEqual(expect.arrayContaining(["VM 100 is already configured with 2 cores, 2048 MB memory", "Boot disk scsi0 is already 12 GB"]));
    // A smaller disk than the current one is never sent to PVE, nor recorded as done (issue 9).
    await expect(run(provider.actionSteps("resize", ref, { resize: { diskGb: 11 } }))).rejects.toThrow(/already 12 GB, larger than the 11 GB requested/);
    expect(sim.state.vms.get(100)!.config.scsi0).toMatch(/size=12G/);
  });

  it("resize: the read-back fails the step when PVE reports another size than asked for, and stores what it reports", async () => {
    const steps = provider.actionSteps("resize", ref, { resize: { memoryMb: 3072 } });
    expect(steps.map((s) => s.key)).toEqual(["configure", "verify"]);
    const c = context();
    await steps[0]!.run(c.ctx);
    // Someone else changes the VM between the change and the read-back.
    const vm = sim.state.vms.get(100)!;
    const saved = { config: { ...vm.config }, pending: { ...vm.pending } };
    vm.pending.memory = "2560";
    await expect(steps[1]!.run(c.ctx)).rejects.toThrow(/^PVE reports VM 100 with 2560 MB memory instead of 3072$/);
    expect(c.state.built).toMatchObject({ memoryMb: 2560, diskGb: 12 });
    expect(provider.actionOutcome("resize", c.state).size).toMatchObject({ memoryMb: 2560, diskGb: 12 });
    Object.assign(vm, saved);
  });

  it("delete: stops, destroys with purge; run again, a VM already gone is done", async () => {
    const first = await run(provider.actionSteps("delete", ref));
    expect(first.upids).toEqual([expect.stringMatching(/:qmstop:100:/), expect.stringMatching(/:qmdestroy:100:/)]);
    expect(first.lines.join("\n")).toMatch(/purging VM 100 from related configurations/);
    expect(sim.state.vms.has(100)).toBe(false);
    const again = await run(provider.actionSteps("delete", ref));
    expect(again.upids).toEqual([]);
    expect(again.lines).toEqual(["VM 100 on pve1 no longer exists; nothing to stop", "VM 100 on pve1 no longer exists; nothing to destroy"]);
  });

  it("create: the read-back fails the step when PVE reports another size than requested, and stores what it reports", async () => {
    const request = {
      name: "vm100",
      template: { ref: pveRef("pve1", 9000), settings: {} },
      size: { cpuCores: 2, memoryMb: 2048, diskGb: 12, gpus: [] },
      options: { target: "pve1", storage: "local-lvm" },
      cloudInit: {},
    };
    const vm = sim.state.addGuest({ node: "pve1", vmid: 101, name: "vm101", cores: 1, memory: 1024, diskGb: 12, ostype: "l26" }, false);
    const verify = provider.createSteps(request as never, pveRef("pve1", 101)).find((s) => s.key === "verify")!;
    Object.assign(vm.config, { cores: "2", sockets: "1", memory: "2048" });
    vm.config.vcpus = "1"; // e.g. a limit left behind: the guest would run with 1 vCPU
    const c = context();
    await expect(verify.run(c.ctx)).rejects.toThrow(/PVE reports VM 101 with 1 vCPUs instead of 2/);
    expect(c.state.built).toMatchObject({ cpuCores: 1, memoryMb: 2048 });
    delete vm.config.vcpus;
    const ok = context();
    await verify.run(ok.ctx);
    expect(ok.state.built).toEqual({ cpuCores: 2, memoryMb: 2048, diskGb: 12 });
  });
});

describe("the clone step after a worker died mid-request", () => {
  it("a worker killed between PVE accepting the clone and remembering its UPID: the next attempt waits for that clone, never clones again", async () => {
    const request = {
      name: "crash-window",
      template: { ref: pveRef("pve1", 9000), settings: {} },
      size: { cpuCores: 1, memoryMb: 1024, diskGb: 32, gpus: {} },
      options: { target: "pve1", storage: "local-lvm" },
      cloudInit: {},
    };
    const named = () => [...sim.state.vms.values()].filter((vm) => vm.config.name === "crash-window");
    // The first attempt dies as soon as PVE has answered the clone: its UPID is never remembered.
    const state: Record<string, unknown> = {};
    const dying: StepContext = {
      get facts() {
        return state;
      },
      remember: async (facts) => {
        if ("cloneUpid" in facts) throw new Error("worker killed");
        Object.assign(state, facts);
      },
      recordProviderTask: async () => undefined,
      log: async () => undefined,
    };
    const clone = provider.createSteps(request, pveRef("pve1", 140))[0]!;
    await expect(clone.run(dying)).rejects.toThrow("worker killed");
    expect(sim.state.vms.get(140)?.config.lock).toBe("clone"); // PVE is still cloning
    // The job is retried with what the first attempt remembered.
    const resumed = context({ ...state });
    await clone.run(resumed.ctx);
    expect(named()).toHaveLength(1);
    expect(resumed.upids).toEqual([]);
    expect(resumed.state.vmid).toBe(140);
  });
});
