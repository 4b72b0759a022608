import { afterAll, beforeAll, expect, it } from "vitest";
import type { CreateRequest } from "../types";
import { pveRef } from "./module-schemas";
import { PveProvider } from "./provider";
import { startTestSim, TOKEN_ID, TOKEN_SECRET } from "./simulator/test-helpers";
import type { PveSimulator } from "./simulator";

/** Accepting creates: VMIDs handed out at once are distinct, and a burst asks PVE for the next id once. */
let sim: PveSimulator;
let provider: PveProvider;

beforeAll(async () => {
  sim = await startTestSim();
  provider = new PveProvider({ name: "lab", kind: "pve", settings: {}, baseUrl: sim.url, credentials: { tokenId: TOKEN_ID, secret: TOKEN_SECRET }, tls: { verify: true } });
});
afterAll(async () => {
  provider.client.close();
  await sim?.stop();
});

const request = (name: string): CreateRequest => ({
  name,
  template: { ref: pveRef("pve1", 9000), settings: {}, ciuser: null, name: "ubuntu" },
  size: { cpuCores: 1, memoryMb: 1024, diskGb: 32, gpus: {} },
  options: { target: "pve1", storage: "local-lvm" },
  cloudInit: {},
  description: "test",
});

it("30 creates accepted at once get 30 different VMIDs, skip ids the portal's VMs hold, and cost one nextid call", async () => {
  const before = sim.requests.filter((r) => r.path.endsWith("/cluster/nextid")).length;
  // The portal's records hold 101 and 103 (their clones have not reached PVE).
  const held = new Set(["101", "103"]);
  const accepted = await Promise.all(Array.from({ length: 30 }, (_, i) => provider.accept(request(`vm-${i}`), async (id) => held.has(id))));
  const ids = accepted.map((a) => Number(a.ref!.id));
  expect(new Set(ids).size).toBe(30);
  expect(ids.some((id) => held.has(String(id)))).toBe(false);
  expect(sim.requests.filter((r) => r.path.endsWith("/cluster/nextid")).length - before).toBe(1);
});
