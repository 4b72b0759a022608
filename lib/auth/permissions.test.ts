import { describe, expect, it } from "vitest";
import { can, navigationFor } from "./permissions";

describe("roles", () => {
  it("give each role its navigation", () => {
    const labels = (role: "user" | "support" | "admin") => navigationFor(role).map((i) => i.label);
    expect(labels("user")).toEqual(["My VMs", "New VM", "Tasks", "Quota"]);
    expect(labels("support")).toEqual(["My VMs", "New VM", "Tasks", "Quota", "Task monitor", "Showback"]);
    expect(labels("admin")).toEqual(["My VMs", "New VM", "Tasks", "Quota", "Task monitor", "Showback", "Admin"]);
  });

  it("only admins administer, support and admins monitor tasks", () => {
    expect(can("user", "admin.manage")).toBe(false);
    expect(can("support", "admin.manage")).toBe(false);
    expect(can("admin", "admin.manage")).toBe(true);
    expect(can("user", "tasks.monitor")).toBe(false);
    expect(can("support", "tasks.monitor")).toBe(true);
  });
});
