import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hangarConfigSchema } from "./config";

describe("configuration file schema", () => {
  it("accepts the documented example", () => {
    expect(hangarConfigSchema.safeParse(JSON.parse(readFileSync("hangar.example.json", "utf8"))).success).toBe(true);
  });

  it("requires a complete set of PVE credentials", () => {
    const base = { name: "p", kind: "pve", url: "https://pve:8006" };
    const issues = (p: object) => {
      const r = hangarConfigSchema.safeParse({ providers: [p] });
      return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
    };
    expect(issues({ ...base, tokenId: "root@pam!t", secret: "s" })).toEqual([]);
    expect(issues({ ...base, username: "u", password: "p" })).toEqual([]);
    expect(issues({ ...base, tokenId: "root@pam!t" })).toEqual(["providers.0.secret"]);
    expect(issues(base)).toEqual(["providers.0.tokenId"]);
    expect(issues({ ...base, tokenId: "not-a-token-id", secret: "s" })).toEqual(["providers.0.tokenId"]);
  });

  it("rejects unknown fields rather than ignoring typos", () => {
    const r = hangarConfigSchema.safeParse({ plans: [{ name: "p", perVm: { cpuCores: 1, memoryMb: 1, diskGb: 1 }, total: { cpuCores: 1, memoryMb: 1, diskGb: 1, vms: 1 }, maxVm: 3 }] });
    expect(r.success).toBe(false);
  });
});
