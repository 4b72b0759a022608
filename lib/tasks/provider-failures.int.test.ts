import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { startVmApi, type VmApi } from "../testing/vm-api";

/**
 * Finding 9 of issue 7: an ordinary user got `PVE API error on provider "ext-sim": GET
 * http://127.0.0.1:18006: socket hang up`, and task logs with the provider's internal URL. Now
 * users read what failed in words they can act on; support and admins also get the details.
 */
let api: VmApi;
let host: string;

beforeAll(async () => {
  api = await startVmApi();
  host = new URL(api.sim.url).host;
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

beforeEach(() => api.sim.faults.reset());

const spec = (name: string) => ({ template_id: "ubuntu-24.04", name, target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 });

describe("provider failures: words for users, details for staff", () => {
  it("a create while the provider hangs up: the user gets the seed's 500 in plain words, an admin the details", async () => {
    api.sim.faults.dropConnections(100);
    const user = await api.create(spec("hangup-1"), { headers: { "Idempotency-Key": "hangup-1" } });
    expect(user.status).toBe(500);
    expect(user.body).toEqual({ code: 500, message: "The provider did not answer; try again later", data: null });
    expect(JSON.stringify(user.body)).not.toContain(host);
    expect(JSON.stringify(user.body)).not.toMatch(/https?:\/\/|socket hang up|PVE API/);

    const admin = await api.create(spec("hangup-2"), { as: "root" });
    expect(admin.status).toBe(500);
    expect(admin.body.message).toBe("The provider did not answer; try again later");
    expect(admin.body.data).toMatchObject({ provider: "lab", detail: expect.stringContaining(host) });

    // A 5xx is not kept for the Idempotency-Key: once the provider answers, the retry executes.
    api.sim.faults.reset();
    const retried = await api.create(spec("hangup-1"), { headers: { "Idempotency-Key": "hangup-1" } });
    expect(retried.status).toBe(200);
    expect(retried.headers.get("Idempotent-Replayed")).toBeNull();
    await api.settled(retried.body.data!.task_id);
  });

  it("a task failing with the provider's internal address: the user's task, steps and log never show it", async () => {
    const vm = await api.runningVm("fails-1");
    api.sim.faults.failNthCall({ method: "POST", pathPattern: "/status/reboot$", n: 1, status: 500, message: "proxy error: could not reach http://10.9.8.7:8006/api2/json on pve-internal-3" });
    const accepted = await api.act(vm.id, "reboot");
    expect(accepted.status).toBe(200);
    const taskId = accepted.body.data!.task_id;
    await api.settled(taskId);

    const seen = await api.task(taskId, "ada");
    expect(seen.status).toBe("failed");
    expect(seen.error).toBe("The provider reported an error; try again later, or ask support if it persists");
    expect(seen.steps[0]).toMatchObject({ name: "Reboot VM", status: "failed", error: "The provider reported an error; try again later, or ask support if it persists" });
    const text = JSON.stringify(seen);
    expect(text).not.toMatch(/10\.9\.8\.7|https?:\/\/|pve-internal-3|proxy error/);
    expect(text).not.toContain(host);
    expect(seen).not.toHaveProperty("error_detail");
    expect(seen.steps[0]).not.toHaveProperty("error_detail");
    for (const line of seen.logs) expect(line).not.toHaveProperty("detail");
    expect(seen.logs.map((l) => l.line)).toContain("Reboot VM failed: The provider reported an error; try again later, or ask support if it persists");

    for (const staff of ["sue", "root"] as const) {
      const detail = await api.task(taskId, staff);
      expect(detail.error).toBe(seen.error);
      expect(detail.error_detail).toContain("http://10.9.8.7:8006/api2/json");
      expect(detail.steps[0]!.error_detail).toContain("proxy error");
      expect(detail.logs.some((l) => l.detail?.includes("10.9.8.7"))).toBe(true);
    }
    // The VM takes the next action.
    const again = await api.act(vm.id, "reboot");
    expect(again.status).toBe(200);
    expect((await api.settled(again.body.data!.task_id)).status).toBe("completed");
  });

  it("tasks stored before details were kept apart: URLs in their words are replaced for users", async () => {
    const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    await db().task.create({
      data: {
        id: "old-1",
        kind: "vm.create",
        userId: ada.id,
        status: "failed",
        error: 'PVE API error on provider "ext-sim": GET http://127.0.0.1:18006: socket hang up',
        logs: { create: [{ line: "Clone template: GET https://pve.lab.internal:8006/api2/json/nodes: socket hang up (will retry)", level: "warn" }] },
      },
    });
    const seen = await api.task("old-1", "ada");
    expect(seen.error).toBe('PVE API error on provider "ext-sim": GET [provider address] socket hang up');
    expect(seen.logs[0]!.line).toBe("Clone template: GET [provider address] socket hang up (will retry)");
    expect((await api.task("old-1", "sue")).error).toContain("http://127.0.0.1:18006");
  });
});
