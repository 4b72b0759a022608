import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVmApi, type VmApi } from "../testing/vm-api";

/**
 * Finding 5 of issue 7: reboot and resize sent together on one VM used to deadlock in
 * PostgreSQL (resize locked the owner's row then the VM's; the others the VM's, then the
 * owner's through the task's foreign key) and answered 500. Now every round has exactly one
 * winner and the rest get 409, never a 500.
 */
let api: VmApi;

beforeAll(async () => {
  api = await startVmApi();
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

describe("concurrent actions on one VM", () => {
  it("reboot and resize sent together: one accepted per round, the others 409, no 500", async () => {
    const vm = await api.runningVm("busy-1");
    const rounds = 8;
    const statuses: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const memorySize = 1024 + 256 * (round + 1);
      const replies = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? api.act(vm.id, "reboot") : api.resize(vm.id, { memorySize }))),
      );
      statuses.push(...replies.map((r) => r.status));
      const problems = replies.filter((r) => r.status !== 200 && r.status !== 409).map((r) => `${r.status} ${r.body.message}`);
      expect(problems, `round ${round}`).toEqual([]);
      const accepted = replies.filter((r) => r.status === 200);
      expect(accepted, `round ${round}`).toHaveLength(1);
      for (const r of replies.filter((x) => x.status === 409)) expect(r.body.message).toBe("Another task is running on this VM");
      const t = await api.settled(accepted[0]!.body.data!.task_id);
      expect(t.status, `${t.error}`).toBe("completed");
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  }, 120_000);
});
