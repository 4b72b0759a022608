import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { db } from "../../db/client";
import { checkInterruptions } from "../../jobs/interruptions";
import { startNovaRentals } from "../../testing/nova-rentals";
import type { NovaSimulator } from "./simulator";

/**
 * The provider-neutral GPU core (lib/vms/gpu-offer.ts, lib/jobs/interruptions.ts) with the Nova
 * provider and its simulator: a reservation's price and sizes come from Nova's offer and quote,
 * and an interruption Nova reports reaches the VM and its owner.
 */
let sim: NovaSimulator;
let token: string;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ sim, token, stop } = await startNovaRentals({ perVm: { cpuCores: 32, memoryMb: 262144, diskGb: 500, gpus: 4 }, total: { cpuCores: 64, memoryMb: 524288, diskGb: 2000, vms: 10, gpus: 8 } }));
}, 120_000);

afterAll(async () => stop?.());

async function rent(body: Record<string, unknown>) {
  const res = await createRoute(
    new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ template_id: "stable-diffusion", target: "vm01", cpuCores: 2, memorySize: 4096, diskSize: 100, ssh_key_id: "key-1", ...body }),
    }),
    { params: Promise.resolve({}) },
  );
  const reply = (await res.json()) as { message: string; data: { task_id: string; vm_name: string } };
  expect(res.status, reply.message).toBe(200);
  for (let i = 0; i < 300; i++) {
    const t = await db().task.findUniqueOrThrow({ where: { id: reply.data.task_id } });
    if (t.status === "completed") return db().vm.findFirstOrThrow({ where: { name: reply.data.vm_name, deletedAt: null } });
    if (t.status === "failed") throw new Error(t.error ?? "failed");
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the create did not finish");
}

describe("GPU rentals through the core, on Nova", () => {
  it("two 4090s reserved for 3 months: the offer's sizes, Nova's rates and the term's cost are recorded; the reservation's end is set", async () => {
    const vm = await rent({ name: "sd-reserved", gpuType: "4090", gpuCount: 2, rentalType: "reserved", reservationMonths: 3 });
    expect(vm).toMatchObject({ gpuType: "4090", gpuCount: 2, rentalType: "reserved_3m", reservationMonths: 3, status: "running" });
    expect(vm.cpuCores).toBeGreaterThan(2); // the offer's cores, not the 2 asked for
    expect(vm.gpuHourly).not.toBeNull();
    expect(Number(vm.committedCost)).toBeGreaterThan(Number(vm.gpuHourly) * 730 * 2); // a reservation counts its whole term
    expect(vm.reservationEndsAt!.getTime()).toBeGreaterThan(Date.now() + 80 * 86_400_000);
  });

  it("an interruptible rental Nova interrupts shows interrupted and its owner is told", async () => {
    const vm = await rent({ name: "sd-spot", gpuType: "4090", rentalType: "interruptible" });
    expect(vm.rentalType).toBe("interruptible");
    sim.interrupt(vm.providerRefId!);
    expect((await checkInterruptions()).interrupted).toEqual([vm.id]);
    expect((await db().vm.findUniqueOrThrow({ where: { id: vm.id } })).status).toBe("interrupted");
    expect(await db().notification.count({ where: { userId: vm.ownerId, kind: "vm_interrupted" } })).toBe(1);
  });
});
