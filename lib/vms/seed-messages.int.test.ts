import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { POST as resizeRoute } from "@/app/api/v1/vms/[vmId]/resize/route";
import { issueSessionToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { stopBoss } from "../jobs/boss";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase } from "../testing/test-db";

/**
 * The seed's messages (../shared/seeds/portal-createFromTemplate.md), written out literally here on
 * purpose: comparing with the constants the code exports would pass when a word of the
 * constant changes. Also the seed's order: per-VM limits before the available (aggregate, team)
 * limits, for create and for resize, so a request breaking both gets the per-VM message.
 */
let database: { url: string; drop: () => Promise<void> };
let sim: PveSimulator;
const tokens: Record<"solo" | "member" | "planless", string> = { solo: "", member: "", planless: "" };
const vmIds: Record<"solo" | "member" | "planless", string> = { solo: "", member: "", planless: "" };

beforeAll(async () => {
  database = await useMigratedDatabase();
  sim = await startPveSimulator(demoClusterOptions({ authFailureDelayMs: 0 }));
  // No plan is the default one: a user without a plan of their own has none at all.
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true } }],
    templates: [{ name: "ubuntu-24.04", provider: "lab", node: "pve1", vmid: 9000, public: true, minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 32 }],
    plans: [
      // Per VM at most 4 cores; 3 cores in all: 6 cores break both.
      { name: "tight", perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 3, memoryMb: 65536, diskGb: 1000, vms: 10 } },
      // Roomy for its user; the team's plan is what is tight.
      { name: "roomy", perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 100, memoryMb: 65536, diskGb: 1000, vms: 10 } },
      { name: "team-tiny", perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 2, memoryMb: 65536, diskGb: 1000, vms: 10 } },
    ],
    teams: [{ name: "lab-team", plan: "team-tiny" }],
    users: [
      { email: "solo@example.com", password: "long-enough-pw", role: "user", plan: "tight" },
      { email: "member@example.com", password: "long-enough-pw", role: "user", plan: "roomy", team: "lab-team" },
      { email: "planless@example.com", password: "long-enough-pw", role: "user" },
    ],
  });
  const provider = await db().providerConnection.findFirstOrThrow({ where: { name: "lab" } });
  for (const name of ["solo", "member", "planless"] as const) {
    const user = await db().user.findUniqueOrThrow({ where: { email: `${name}@example.com` } });
    tokens[name] = (await issueSessionToken(user.id)).token;
    // An existing 1-core VM to resize (the quota check comes before any provider call).
    const vm = await db().vm.create({
      data: { name: `${name}-vm`, ownerId: user.id, providerId: provider.id, providerRef: { node: "pve1", vmid: 500 + Object.keys(vmIds).indexOf(name) }, providerRefId: String(500 + Object.keys(vmIds).indexOf(name)), cpuCores: 1, memoryMb: 1024, diskGb: 32, status: "running" },
    });
    vmIds[name] = vm.id;
  }
}, 120_000);

afterAll(async () => {
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

type Envelope = { code: number; message: string; data: { denials?: { scope: string; dimension: string }[] } | null };

async function create(as: keyof typeof tokens, body: Record<string, unknown>) {
  const res = await createRoute(
    new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", {
      method: "POST",
      headers: { authorization: `Bearer ${tokens[as]}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as Envelope };
}

async function resize(as: keyof typeof tokens, body: Record<string, unknown>) {
  const vmId = vmIds[as];
  const res = await resizeRoute(
    new Request(`http://hangar.test/api/v1/vms/${vmId}/resize`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens[as]}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ vmId }) },
  );
  return { status: res.status, body: (await res.json()) as Envelope };
}

const vm = (cpuCores: number) => ({ template_id: "ubuntu-24.04", name: "both-limits", target: "pve1", cpuCores, memorySize: 1024, diskSize: 32 });

async function writes() {
  return { vms: await db().vm.count(), tasks: await db().task.count(), sizes: (await db().vm.findMany({ select: { cpuCores: true }, orderBy: { name: "asc" } })).map((v) => v.cpuCores) };
}

describe("the seed's messages, literally", () => {
  it("a create breaking both the per-VM and the available limits gets the per-VM message", async () => {
    const before = await writes();
    const { status, body } = await create("solo", vm(6));
    expect(status).toBe(400);
    expect(body.code).toBe(400);
    expect(body.message).toBe("Requested resources exceed the per VM limits of your compute resource plan");
    expect(body.data?.denials?.map((d) => d.scope)).toEqual(["per_vm"]);
    expect(await writes()).toEqual(before);
  });

  it("a create breaking the per-VM limit and the team's available limit gets the per-VM message", async () => {
    const { status, body } = await create("member", vm(6));
    expect(status).toBe(400);
    expect(body.message).toBe("Requested resources exceed the per VM limits of your compute resource plan");
    expect(body.data?.denials?.map((d) => d.scope)).toEqual(["per_vm"]);
    // Within the per-VM limit, the team's aggregate is what denies (the other message).
    const team = await create("member", vm(3));
    expect(team.status).toBe(400);
    expect(team.body.message).toBe("Requested resources exceed the available limits of your compute resource plan");
    expect(team.body.data?.denials?.map((d) => d.scope)).toEqual(["team"]);
  });

  it("a resize breaking both gets the per-VM message, for a user's plan and for a team's", async () => {
    const before = await writes();
    for (const as of ["solo", "member"] as const) {
      const { status, body } = await resize(as, { cpuCores: 6 });
      expect(status, as).toBe(400);
      expect(body.message, as).toBe("Requested resources exceed the per VM limits of your compute resource plan");
      expect(body.data?.denials?.map((d) => d.scope), as).toEqual(["per_vm"]);
    }
    const aggregate = await resize("solo", { cpuCores: 4 });
    expect(aggregate.status).toBe(400);
    expect(aggregate.body.message).toBe("Requested resources exceed the available limits of your compute resource plan");
    expect(await writes()).toEqual(before);
  });

  it("a user without a plan gets the seed's 404 with its exact words, on create and on resize", async () => {
    const before = await writes();
    const created = await create("planless", vm(1));
    expect(created.status).toBe(404);
    expect(created.body).toEqual({ code: 404, message: "Compute resource plan not found", data: null });
    const resized = await resize("planless", { cpuCores: 2 });
    expect(resized.status).toBe(404);
    expect(resized.body).toEqual({ code: 404, message: "Compute resource plan not found", data: null });
    expect(await writes()).toEqual(before);
  });

  it("an unknown template gets the seed's 404 with its exact words", async () => {
    const { status, body } = await create("solo", { ...vm(1), template_id: "no-such-template" });
    expect(status).toBe(404);
    expect(body).toEqual({ code: 404, message: "Template not found", data: null });
  });
});
