import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { startVmApi, type VmApi } from "../testing/vm-api";
import { purgeExpiredIdempotencyKeys } from "./idempotency";

/**
 * Finding 11 of issue 7: a client that retried a create after a timeout got two VMs. With
 * `Idempotency-Key` the retry answers the first response again and makes nothing new.
 */
let api: VmApi;

beforeAll(async () => {
  api = await startVmApi();
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const spec = (name: string) => ({ template_id: "ubuntu-24.04", name, target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 });
const vmsNamed = (name: string) => db().vm.count({ where: { name } });

describe("Idempotency-Key", () => {
  it("a retried create answers the first response again and makes no second VM", async () => {
    const first = await api.create(spec("idem-1"), { headers: { "Idempotency-Key": "create-idem-1" } });
    expect(first.status, first.body.message).toBe(200);
    const again = await api.create(spec("idem-1"), { headers: { "Idempotency-Key": "create-idem-1" } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await vmsNamed("idem-1")).toBe(1);
    expect(await db().task.count({ where: { kind: "vm.create", vm: { name: "idem-1" } } })).toBe(1);
    // Keys do not care about the order of the body's fields.
    const reordered = await api.create(Object.fromEntries(Object.entries(spec("idem-1")).reverse()), { headers: { "Idempotency-Key": "create-idem-1" } });
    expect(reordered.body).toEqual(first.body);
    await api.settled(first.body.data!.task_id);
  });

  it("without a key, the same request twice makes two VMs (what the key prevents)", async () => {
    expect((await api.create(spec("idem-plain"))).status).toBe(200);
    expect((await api.create(spec("idem-plain"))).status).toBe(200);
    expect(await vmsNamed("idem-plain")).toBe(2);
  });

  it("the same key with another body is a 422 in the envelope, and makes nothing", async () => {
    const first = await api.create(spec("idem-2"), { headers: { "Idempotency-Key": "create-idem-2" } });
    expect(first.status).toBe(200);
    const other = await api.create({ ...spec("idem-2b") }, { headers: { "Idempotency-Key": "create-idem-2" } });
    expect(other.status).toBe(422);
    expect(other.body).toEqual({ code: 422, message: "Idempotency-Key was already used with a different request", data: null });
    expect(await vmsNamed("idem-2b")).toBe(0);
  });

  it("concurrent duplicates: one executes, every other gets the same answer", async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, () => api.create(spec("idem-3"), { headers: { "Idempotency-Key": "create-idem-3" } })));
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
    const taskIds = new Set(replies.map((r) => r.body.data!.task_id));
    expect(taskIds.size).toBe(1);
    expect(await vmsNamed("idem-3")).toBe(1);
    expect(replies.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(7);
  });

  it("keys belong to their user: another user's same key is a request of its own", async () => {
    const bob = await api.create(spec("idem-1"), { as: "bob", headers: { "Idempotency-Key": "create-idem-1" } });
    expect(bob.status).toBe(200);
    expect(bob.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await vmsNamed("idem-1")).toBe(2);
  });

  it("VM actions: a retried reboot is answered with the first task, and no second task is made", async () => {
    const vm = await api.runningVm("idem-act");
    const first = await api.act(vm.id, "reboot", { headers: { "Idempotency-Key": "reboot-1" } });
    expect(first.status).toBe(200);
    await api.settled(first.body.data!.task_id);
    const again = await api.act(vm.id, "reboot", { headers: { "Idempotency-Key": "reboot-1" } });
    expect(again.body).toEqual(first.body);
    expect(await db().task.count({ where: { vmId: vm.id, kind: "vm.reboot" } })).toBe(1);
    // The same key on another path is another request.
    const stop = await api.act(vm.id, "stop", { headers: { "Idempotency-Key": "reboot-1" } });
    expect(stop.status).toBe(422);
  });

  it("keeps 4xx answers, not 5xx; refuses malformed keys; forgets keys after 24 hours", async () => {
    const missing = await api.create({ ...spec("idem-4"), template_id: "no-such-template" }, { headers: { "Idempotency-Key": "k-404" } });
    expect(missing.status).toBe(404);
    const replayed = await api.create({ ...spec("idem-4"), template_id: "no-such-template" }, { headers: { "Idempotency-Key": "k-404" } });
    expect(replayed.status).toBe(404);
    expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");

    for (const key of ["", "a b", "x".repeat(256), "é"]) {
      const bad = await api.create(spec("idem-5"), { headers: { "Idempotency-Key": key } });
      expect(bad.status, JSON.stringify(key)).toBe(400);
      expect(bad.body.message).toBe("Idempotency-Key must be 1 to 255 visible ASCII characters");
    }
    expect(await vmsNamed("idem-5")).toBe(0);

    await db().idempotencyKey.updateMany({ where: { key: "create-idem-2" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const later = await api.create(spec("idem-2c"), { headers: { "Idempotency-Key": "create-idem-2" } });
    expect(later.status).toBe(200);
    expect(later.headers.get("Idempotent-Replayed")).toBeNull();
    await db().idempotencyKey.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await purgeExpiredIdempotencyKeys()).toBeGreaterThan(0);
    expect(await db().idempotencyKey.count()).toBe(0);
  });
});
