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
  const [providers, templates, plans, users, grants, audit] = await Promise.all([
    db().providerConnection.count(),
    db().template.count(),
    db().plan.count(),
    db().user.count(),
    db().templateGrant.count(),
    db().auditEvent.count(),
  ]);
  return { providers, templates, plans, users, grants, audit };
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
    const error = await applyConfig(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(["providers[0].kind", "providers[2].apiKey", "templates[0].vmid", "plans[0].perVm.cpuCores", "users[1].role", "users[0].email"]),
    );
    expect(await counts()).toEqual(before);
  });

  it("rejects references to things that do not exist, naming the field", async () => {
    const before = await counts();
    const bad = clone(example);
    bad.templates![0]!.provider = "nowhere";
    bad.users![0]!.plan = "platinum";
    (bad.templates![1]!.users as string[]).push("ghost@example.com");
    bad.plans!.push({ ...clone(bad.plans![0]!) });
    const error = (await applyConfig(bad).catch((e: unknown) => e)) as ConfigError;
    expect(error.problems).toEqual(
      expect.arrayContaining([
        { path: "templates[0].provider", message: 'no provider named "nowhere"' },
        { path: "users[0].plan", message: 'no plan named "platinum"' },
        { path: "templates[1].users[1]", message: 'no user with email "ghost@example.com"' },
        { path: "plans[1].name", message: 'duplicate name "standard"' },
      ]),
    );
    expect(await counts()).toEqual(before);
  });

  it("applies the documented example, encrypting credentials, then updates in place on a second apply", async () => {
    const report = await applyConfig(example);
    expect(report).toEqual({
      providers: { created: 4, updated: 0 },
      templates: { created: 2, updated: 0 },
      plans: { created: 1, updated: 0 },
      users: { created: 2, updated: 0 },
    });
    const lab = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } });
    expect(lab.credentials).not.toContain("00000000-0000-0000-0000-000000000000");
    expect(decryptJson(lab.credentials)).toEqual({ tokenId: "root@pam!hangar", secret: "00000000-0000-0000-0000-000000000000" });
    expect(lab.tlsVerify).toBe(false);
    expect(lab.settings).toEqual({ defaultStorage: "NFS" });
    const win = await db().template.findUniqueOrThrow({ where: { name: "windows-2022" }, include: { grants: { include: { user: true } } } });
    expect(win.grants.map((g) => g.user.email)).toEqual(["ada@example.com"]);
    const ada = await db().user.findUniqueOrThrow({ where: { email: "ada@example.com" }, include: { plan: true } });
    expect(ada.plan?.name).toBe("standard");
    await expect(verifyCredentials("ada@example.com", "change-me-please")).resolves.toMatchObject({ email: "ada@example.com" });
    // Audit snapshots never hold secrets.
    const audit = await db().auditEvent.findMany();
    expect(JSON.stringify(audit)).not.toContain("change-me-please");
    expect(JSON.stringify(audit)).not.toContain("00000000-0000-0000-0000-000000000000");

    const changed = clone(example);
    changed.plans![0]!.total = { cpuCores: 32, memoryMb: 65536, diskGb: 1000, vms: 10 };
    const again = await applyConfig(changed);
    expect(again.plans).toEqual({ created: 0, updated: 1 });
    expect(again.providers).toEqual({ created: 0, updated: 4 });
    expect((await db().plan.findUniqueOrThrow({ where: { name: "standard" } })).maxVms).toBe(10);
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
