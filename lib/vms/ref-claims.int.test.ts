import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { startVmApi, type VmApi } from "../testing/vm-api";
import { claimProviderRef, removeLapsedRefClaims, REF_CLAIM_MS } from "./ref-claims";

/**
 * Provider ids are claimed for every portal process (issue 13, scale-out): two web processes
 * accepting creates at once counted up from the same next free id and wrote the same id into
 * their VM rows; the loser's accept hit the unique index of live ids, took the next one, collided
 * again, and after five tries answered 500 (lib/jobs/scale-out.int.test.ts, about one run in two).
 */
let api: VmApi;
let providerId: string;

beforeAll(async () => {
  api = await startVmApi({ worker: false });
  providerId = (await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } })).id;
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

describe("claims of provider ids", () => {
  it("of many claims of one id at once, exactly one gets it", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => claimProviderRef(providerId, "5000")));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("an id a live VM holds is never claimed; a lapsed claim can be taken again and is removed by the housekeeping", async () => {
    const owner = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    await db().vm.create({ data: { name: "holder", ownerId: owner.id, providerId, providerRefId: "5001", cpuCores: 1, memoryMb: 1024, diskGb: 32, status: "running" } });
    expect(await claimProviderRef(providerId, "5001")).toBe(false);

    const then = new Date(Date.now() - REF_CLAIM_MS - 1000);
    expect(await claimProviderRef(providerId, "5002", then)).toBe(true);
    expect(await claimProviderRef(providerId, "5002", new Date(then.getTime() + 1000))).toBe(false); // still held
    expect(await claimProviderRef(providerId, "5003", then)).toBe(true);
    expect(await claimProviderRef(providerId, "5002")).toBe(true); // lapsed: taken again
    expect(await removeLapsedRefClaims()).toBe(1); // 5003's; 5000 and 5002 are held
    expect(await db().vmRefClaim.count({ where: { refId: { in: ["5000", "5002"] } } })).toBe(2);
  });

  it("a create does not take an id another portal process claimed a moment ago, though no VM row holds it yet", async () => {
    // PVE's next free id (the simulator's VMs: the templates and nothing else yet).
    let next = 100;
    while (api.sim.state.vms.has(next)) next++;
    // Another web process handed out the next three ids; their VM rows are not written yet.
    for (const id of [next, next + 1, next + 2]) expect(await claimProviderRef(providerId, String(id))).toBe(true);
    const res = await api.create({ template_id: "ubuntu-24.04", name: "after-claims", target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 });
    expect(res.status, res.body.message).toBe(200);
    expect(res.body.data!.vmid).toBe(String(next + 3));
  });
});
