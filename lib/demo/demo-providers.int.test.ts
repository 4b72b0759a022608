import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { issueSessionToken } from "../auth/api-tokens";
import { db } from "../db/client";
import { closeProviderClients, providerFor } from "../providers/registry";
import type { ProviderRef } from "../providers/types";
import { useMigratedDatabase } from "../testing/test-db";
import { seedDemo } from "./seed";
import { DEMO_NOVA_PROVIDER, DEMO_PROVIDER, runningSimulator, startSimulatedProviders } from "./simulated-providers";

/**
 * The zero-setup demo: seeded on an empty database, its simulated providers (the PVE cluster and
 * the Nova Cloud account) start with the portal and answer at the URLs recorded for them.
 */
let database: { url: string; drop: () => Promise<void> };
let simulators: { stop: () => Promise<void> };

beforeAll(async () => {
  database = await useMigratedDatabase();
  expect(await seedDemo()).not.toBeNull();
  simulators = await startSimulatedProviders();
}, 60_000);

afterAll(async () => {
  closeProviderClients();
  await simulators?.stop();
  await database?.drop();
});

describe("the demo's simulated providers", () => {
  it("start one simulator per simulated connection, each at the URL recorded for it", async () => {
    const rows = await db().providerConnection.findMany({ orderBy: { name: "asc" } });
    expect(rows.map((r) => [r.name, r.kind])).toEqual([
      [DEMO_PROVIDER, "pve"],
      [DEMO_NOVA_PROVIDER, "nova"],
    ]);
    for (const row of rows) expect(row.baseUrl).toBe(runningSimulator(row.name)?.url);
    expect((await providerFor(rows[0]!).testConnection()).version).toMatch(/^9\./);
  });

  it("has a Nova Cloud account with a balance, its GPU offers, and the five templates of Nova's docs", async () => {
    const nova = await db().providerConnection.findUniqueOrThrow({ where: { name: DEMO_NOVA_PROVIDER } });
    expect(nova.enabled).toBe(true);
    const provider = providerFor(nova);
    expect((await provider.testConnection()).version).toBe("Nova Cloud API (balance 250 USD)");
    const templates = await db().template.findMany({ where: { providerId: nova.id }, orderBy: { providerRefId: "asc" } });
    expect(templates.map((t) => [t.providerRefId, t.name])).toEqual([
      ["100", "ubuntu22-nvidia"],
      ["101", "ubuntu24-nvidia"],
      ["102", "stable-diffusion"],
      ["103", "comfyui"],
      ["104", "linux-desktop"],
    ]);
    const offers = await provider.gpuOffers!({ ref: { id: templates[2]!.providerRefId, data: templates[2]!.providerRef as ProviderRef["data"] }, settings: {} });
    expect(offers.map((o) => [o.gpuType, o.available, o.rentalTypes.length])).toEqual([
      ["4090", 12, 5],
      ["5090", 8, 5],
      ["6000pro", 4, 5],
    ]);
  });

  it("the demo user's create of a GPU template through the seed API is accepted with the offer's default", async () => {
    const user = await db().user.findUniqueOrThrow({ where: { email: "user@hangar.local" } });
    const { token } = await issueSessionToken(user.id);
    const res = await createRoute(
      new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ template_id: "stable-diffusion", name: "sd-demo", target: "vm01", cpuCores: 2, memorySize: 4096, diskSize: 80, cipassword: "a-long-enough-password" }),
      }),
      { params: Promise.resolve({}) },
    );
    const body = (await res.json()) as { code: number; message: string; data: { task_id: string } };
    expect(res.status, body.message).toBe(200);
    const task = await db().task.findUniqueOrThrow({ where: { id: body.data.task_id }, include: { logs: true } });
    expect(task.logs.map((l) => l.line).join("\n")).toContain("on vm01: 1× 4090, on demand");
  });
});
