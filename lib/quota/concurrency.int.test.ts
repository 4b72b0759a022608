import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthenticatedUser } from "../auth/credentials";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { isAppError } from "../errors";
import { stopBoss } from "../jobs/boss";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase } from "../testing/test-db";
import { createFromTemplate } from "../api/seed-create-from-template";

/**
 * 50 simultaneous create requests against room for 3 VMs: exactly 3 are accepted, whatever the
 * interleaving (each round shuffles the requests' start times). No worker runs here, so every
 * accepted request stays a reservation.
 */
let database: { drop: () => Promise<void> };
let sim: PveSimulator;
const users: Record<string, AuthenticatedUser> = {};

beforeAll(async () => {
  database = await useMigratedDatabase();
  sim = await startPveSimulator(demoClusterOptions({ authFailureDelayMs: 0 }));
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }],
    templates: [{ name: "debian", provider: "lab", node: "pve2", vmid: 9001, public: true, minDiskGb: 20 }],
    plans: [
      { name: "three", perVm: { cpuCores: 2, memoryMb: 4096, diskGb: 50 }, total: { cpuCores: 100, memoryMb: 100000, diskGb: 1000, vms: 3 } },
      { name: "roomy", perVm: { cpuCores: 2, memoryMb: 4096, diskGb: 50 }, total: { cpuCores: 100, memoryMb: 100000, diskGb: 1000, vms: 100 } },
    ],
    users: [
      { email: "solo@example.com", password: "long-enough-pw", plan: "three" },
      { email: "t1@example.com", password: "long-enough-pw", plan: "roomy" },
      { email: "t2@example.com", password: "long-enough-pw", plan: "roomy" },
    ],
  });
  const team = await db().team.create({ data: { name: "lab-team", plan: { connect: { name: "three" } } } });
  for (const email of ["solo@example.com", "t1@example.com", "t2@example.com"]) {
    const u = await db().user.update({ where: { email }, data: email.startsWith("t") ? { teamId: team.id } : {} });
    users[email] = { id: u.id, email: u.email, name: u.name, role: u.role };
  }
}, 60_000);

afterAll(async () => {
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

const body = (i: number) => ({ template_id: "debian", name: `vm-${i}`, target: "pve2", cpuCores: 1, memorySize: 1024, diskSize: 20 });

async function round(requesters: AuthenticatedUser[]) {
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * 25));
      return createFromTemplate(requesters[i % requesters.length]!, body(i));
    }),
  );
  const accepted = results.filter((r) => r.status === "fulfilled").length;
  const refusals = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as unknown);
  return { accepted, refusals };
}

async function clear() {
  await db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });
}

describe("quota under concurrency", () => {
  it("50 simultaneous requests of one user with room for 3: exactly 3 accepted, every time", async () => {
    for (let r = 0; r < 6; r++) {
      await clear();
      const { accepted, refusals } = await round([users["solo@example.com"]!]);
      expect(accepted, `round ${r}`).toBe(3);
      expect(await db().vm.count({ where: { ownerId: users["solo@example.com"]!.id, deletedAt: null } })).toBe(3);
      // Every refusal is the quota's, with the seed's message and the VM count as the reason.
      for (const e of refusals) {
        expect(isAppError(e) && e.message).toBe("Requested resources exceed the available limits of your compute resource plan");
        expect((e as { data: { denials: { dimension: string }[] } }).data.denials.map((d) => d.dimension)).toContain("vms");
      }
    }
  }, 240_000);

  it("two members of a team sharing room for 3: exactly 3 accepted between them", async () => {
    for (let r = 0; r < 4; r++) {
      await clear();
      const { accepted, refusals } = await round([users["t1@example.com"]!, users["t2@example.com"]!]);
      expect(accepted, `round ${r}`).toBe(3);
      expect(refusals.every((e) => (e as { data: { denials: { scope: string }[] } }).data.denials.some((d) => d.scope === "team"))).toBe(true);
    }
  }, 240_000);
});
