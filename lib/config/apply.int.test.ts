import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptJson } from "../crypto/secrets";
import { db } from "../db/client";
import { useMigratedDatabase } from "../testing/test-db";
import { verifyCredentials } from "../auth/credentials";
import { applyConfig, ConfigError, readConfigFile } from "./apply";

let database: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  database = await useMigratedDatabase();
});
afterAll(async () => database.drop());

async function counts() {
  const [providers, templates, plans, teams, users, grants, teamGrants, prices, audit] = await Promise.all([
    db().providerConnection.count(),
    db().template.count(),
    db().plan.count(),
    db().team.count(),
    db().user.count(),
    db().templateGrant.count(),
    db().templateTeamGrant.count(),
    db().price.count(),
    db().auditEvent.count(),
  ]);
  return { providers, templates, plans, teams, users, grants, teamGrants, prices, audit };
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

const example = readConfigFile("hangar.example.json") as Record<string, Record<string, unknown>[]>;

describe("configuration as code (hangar apply)", () => {
  it("rejects an invalid file with the path of every bad field, and applies nothing", async () => {
    const before = await counts();
    const bad = clone(example);
    bad.providers![0]!.kind = "xen";
    delete bad.providers![2]!.apiKey;
    bad.templates![0]!.vmid = "9000";
    bad.plans![0]!.perVm = { cpuCores: 0, memoryMb: 8192, diskGb: 100 };
    bad.users![1]!.role = "root";
    bad.users![0]!.email = "not-an-email";
    bad.plans![1]!.allowedGpuTypes = ["rtx 3090"];
    (bad.plans![0]!.total as Record<string, unknown>).monthlySpend = 1.005;
    bad.templates![0]!.defaultCpuCores = 0;
    bad.templates![1]!.defaultMemoryMb = 1024;
    (bad.prices as unknown as Record<string, unknown>).vcpuHour = -1;
    (bad.prices as unknown as Record<string, unknown>).gpuHour = { "4090": 0.5, "rtx 3090": 0.1 };
    const error = await applyConfig(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "providers[0].kind",
        "providers[2].apiKey",
        "templates[0].vmid",
        "templates[0].defaultCpuCores",
        "templates[1].defaultMemoryMb",
        "plans[0].perVm.cpuCores",
        "plans[0].total.monthlySpend",
        "plans[1].allowedGpuTypes[0]",
        "users[1].role",
        "users[0].email",
        "prices.vcpuHour",
      ]),
    );
    expect(paths.some((p) => p.startsWith("prices.gpuHour"))).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it("rejects references to things that do not exist, naming the field", async () => {
    const before = await counts();
    const bad = clone(example);
    bad.templates![0]!.provider = "nowhere";
    bad.users![0]!.plan = "platinum";
    (bad.templates![1]!.users as string[]).push("ghost@example.com");
    (bad.templates![1]!.teams as string[]).push("nobody");
    bad.plans!.push({ ...clone(bad.plans![0]!) });
    (bad.plans![1]!.allowedProviders as string[]).push("elsewhere");
    bad.teams![0]!.plan = "gold";
    bad.teams!.push({ ...clone(bad.teams![0]!) });
    bad.users![1]!.team = "blue";
    const error = (await applyConfig(bad).catch((e: unknown) => e)) as ConfigError;
    expect(error.problems).toEqual(
      expect.arrayContaining([
        { path: "templates[0].provider", message: 'no provider named "nowhere"' },
        { path: "users[0].plan", message: 'no plan named "platinum"' },
        { path: "templates[1].users[1]", message: 'no user with email "ghost@example.com"' },
        { path: "templates[1].teams[1]", message: 'no team named "nobody"' },
        { path: "plans[2].name", message: 'duplicate name "standard"' },
        { path: "plans", message: "only one plan can be the default" },
        { path: "plans[1].allowedProviders[1]", message: 'no provider named "elsewhere"' },
        { path: "teams[0].plan", message: 'no plan named "gold"' },
        { path: "teams[1].name", message: 'duplicate name "research"' },
        { path: "users[1].team", message: 'no team named "blue"' },
      ]),
    );
    expect(await counts()).toEqual(before);
  });

  it("applies the documented example, encrypting credentials, then updates in place on a second apply", async () => {
    const report = await applyConfig(example);
    expect(report).toEqual({
      providers: { created: 4, updated: 0 },
      templates: { created: 3, updated: 0 },
      plans: { created: 2, updated: 0 },
      teams: { created: 1, updated: 0 },
      users: { created: 2, updated: 0 },
      // Six price rows and the currency.
      prices: { created: 7, updated: 0 },
    });
    const lab = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } });
    expect(lab.credentials).not.toContain("00000000-0000-0000-0000-000000000000");
    expect(decryptJson(lab.credentials)).toEqual({ tokenId: "root@pam!hangar", secret: "00000000-0000-0000-0000-000000000000" });
    expect(lab.tlsVerify).toBe(false);
    expect(lab.settings).toEqual({ defaultStorage: "NFS" });
    const verge = await db().template.findUniqueOrThrow({ where: { name: "ubuntu-verge" }, include: { provider: true } });
    expect(verge).toMatchObject({ providerRefId: "7", providerRef: { mediaSource: "7", cluster: "1" }, settings: { vnet: "3", preferredTier: "1" } });
    expect(verge.provider.settings).toEqual({ gpuGroups: { "4090": ["1f67f07e-f653-db95-c475-01b8a2ea0ff1"] } });
    const win = await db().template.findUniqueOrThrow({
      where: { name: "windows-2022" },
      include: { grants: { include: { user: true } }, teamGrants: { include: { team: true } } },
    });
    expect(win.grants.map((g) => g.user.email)).toEqual(["ada@example.com"]);
    expect(win.teamGrants.map((g) => g.team.name)).toEqual(["research"]);
    expect(win).toMatchObject({ defaultCpuCores: 4, defaultMemoryMb: 8192, defaultDiskGb: null });
    const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" }, include: { plan: true, team: { include: { plan: true } } } });
    expect(ada.plan?.name).toBe("standard");
    expect(ada.team?.name).toBe("research");
    expect(ada.team?.plan?.name).toBe("gpu");
    const gpu = await db().plan.findUniqueOrThrow({ where: { name: "gpu" } });
    const nova = await db().providerConnection.findUniqueOrThrow({ where: { name: "nova" } });
    expect(gpu).toMatchObject({ maxGpusPerVm: 2, maxGpusSum: 4, allowedProviderIds: [nova.id], allowedGpuTypes: ["5090", "4090", "6000pro"] });
    expect(gpu.maxMonthlySpend?.toFixed(2)).toBe("5000.50");
    expect((await db().plan.findUniqueOrThrow({ where: { name: "standard" } })).allowedRentalTypes).toEqual(["on_demand"]);
    const prices = await db().price.findMany({ orderBy: [{ resource: "asc" }, { gpuType: "asc" }] });
    expect(prices.map((p) => [p.resource, p.gpuType, p.amount.toFixed(4)])).toEqual([
      ["disk_gb_month", "", "0.1000"],
      ["gpu_hour", "4090", "0.5000"],
      ["gpu_hour", "5090", "0.9000"],
      ["gpu_hour", "6000pro", "1.8000"],
      ["memory_gb_hour", "", "0.0050"],
      ["vcpu_hour", "", "0.0100"],
    ]);
    expect((await db().setting.findUniqueOrThrow({ where: { key: "currency" } })).value).toBe("EUR");
    await expect(verifyCredentials("ada@example.com", "change-me-please")).resolves.toMatchObject({ email: "ada@example.com" });
    // Audit snapshots never hold secrets.
    const audit = await db().auditEvent.findMany();
    expect(JSON.stringify(audit)).not.toContain("change-me-please");
    expect(JSON.stringify(audit)).not.toContain("00000000-0000-0000-0000-000000000000");

    const changed = clone(example);
    changed.plans![0]!.total = { cpuCores: 32, memoryMb: 65536, diskGb: 1000, vms: 10 };
    const again = await applyConfig(changed);
    expect(again.plans).toEqual({ created: 0, updated: 2 });
    expect(again.providers).toEqual({ created: 0, updated: 4 });
    expect(again.teams).toEqual({ created: 0, updated: 1 });
    expect(again.prices).toEqual({ created: 0, updated: 7 });
    const standard = await db().plan.findUniqueOrThrow({ where: { name: "standard" } });
    expect(standard.maxVms).toBe(10);
    // Declarative: the spend limit the file no longer sets is gone.
    expect(standard.maxMonthlySpend).toBeNull();
    expect(await db().user.count()).toBe(2);
  });
});

describe("npm run hangar (CLI)", () => {
  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    spawnSync(path.resolve("node_modules/.bin/tsx"), ["lib/cli/main.ts", ...args], {
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "silent", ...extraEnv },
      timeout: 60_000,
    });

  it("user create makes a user who can sign in; a duplicate or a bad role is refused", async () => {
    const ok = cli(["user", "create", "--email", "Grace@Example.com", "--password", "hopper-1906", "--role", "support", "--plan", "standard"]);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("Created support grace@example.com");
    await expect(verifyCredentials("grace@example.com", "hopper-1906")).resolves.toMatchObject({ role: "support" });

    const dup = cli(["user", "create", "--email", "grace@example.com", "--password", "hopper-1906"]);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain("already exists");
    const badRole = cli(["user", "create", "--email", "x@example.com", "--password", "long-enough", "--role", "root"]);
    expect(badRole.status).toBe(1);
    expect(badRole.stderr).toMatch(/role/);
    const noPlan = cli(["user", "create", "--email", "y@example.com", "--password", "long-enough", "--plan", "gold"]);
    expect(noPlan.status).toBe(1);
    expect(noPlan.stderr).toContain('Plan "gold" not found');
    expect(await db().user.count({ where: { email: { in: ["x@example.com", "y@example.com"] } } })).toBe(0);
  });

  it("apply reports each bad field by path and exits 1 without changing anything", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hangar-cfg-"));
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ plans: [{ name: "p", perVm: { cpuCores: -1, memoryMb: 1, diskGb: 1 }, total: { cpuCores: 1, memoryMb: 1, diskGb: 1 } }] }));
    const before = await counts();
    const res = cli(["apply", file]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("plans[0].perVm.cpuCores");
    expect(res.stderr).toContain("plans[0].total.vms");
    expect(res.stderr).toContain("Nothing was applied");
    expect(await counts()).toEqual(before);
  });
});
