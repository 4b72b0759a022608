import { describe, expect, it } from "vitest";
import { changes, show } from "./diff";

describe("audit diff", () => {
  it("lists only the keys that changed, alphabetically, without bookkeeping fields", () => {
    expect(changes({ name: "a", maxVms: 5, updatedAt: "1", list: [1] }, { name: "a", maxVms: 6, updatedAt: "2", list: [1, 2] })).toEqual([
      { key: "list", before: [1], after: [1, 2] },
      { key: "maxVms", before: 5, after: 6 },
    ]);
    expect(changes(null, { id: "x", createdAt: "2026-01-01", name: "a" })).toEqual([{ key: "name", before: undefined, after: "a" }]);
  });

  it("shows a creation as everything set, a deletion as everything gone", () => {
    expect(changes(null, { name: "a" })).toEqual([{ key: "name", before: undefined, after: "a" }]);
    expect(changes({ name: "a" }, undefined)).toEqual([{ key: "name", before: "a", after: undefined }]);
    expect(changes(null, null)).toEqual([]);
  });

  it("keeps what an event's after leaves out as the state it happened in, not as erased (a VM's stop)", () => {
    expect(changes({ name: "web-1", status: "running", cpuCores: 2 }, { taskId: "stop-1" })).toEqual([
      { key: "cpuCores", before: 2, after: 2, context: true },
      { key: "name", before: "web-1", after: "web-1", context: true },
      { key: "status", before: "running", after: "running", context: true },
      { key: "taskId", before: undefined, after: "stop-1" },
    ]);
  });

  it("shows values short and on one line", () => {
    expect(show(undefined)).toBe("—");
    expect(show(null)).toBe("null");
    expect(show({ a: 1 })).toBe('{"a":1}');
    expect(show("x".repeat(100))).toHaveLength(60);
  });
});
