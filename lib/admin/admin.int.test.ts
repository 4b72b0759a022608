import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyConfig } from "../config/apply";
import { decryptJson } from "../crypto/secrets";
import { db } from "../db/client";
import { AppError } from "../errors";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { importTemplatesSchema, planFormSchema, pricesFormSchema, providerFormSchema, templateFormSchema, userCreateSchema, userUpdateSchema } from "../schemas/admin";
import { useMigratedDatabase } from "../testing/test-db";
import type { AdminActor } from "./common";
import { listAuditEvents } from "./audit/list-events";
import { assignPlan } from "./plans/assign-plan";
import { deletePlan } from "./plans/delete-plan";
import { savePlan } from "./plans/save-plan";
import { getPrices } from "./prices/views";
import { savePrices } from "./prices/save-prices";
import { deleteProvider } from "./providers/delete-provider";
import { discoverProvider } from "./providers/discover";
import { importTemplates } from "./providers/import-templates";
import { saveProvider } from "./providers/save-provider";
import { testProviderConnection } from "./providers/test-connection";
import { getProvider, listProviders } from "./providers/views";
import { addTeamMembers, removeTeamMember } from "./teams/members";
import { saveTeam } from "./teams/save-team";
import { memberCandidates } from "./teams/views";
import { updateTemplate } from "./templates/update-template";
import { getTemplateForAdmin } from "./templates/views";
import { createUserAsAdmin } from "./users/create-user";
import { setQuotaOverrides } from "./users/set-quota-overrides";
import { updateUser } from "./users/update-user";
import { getUserForAdmin, listUsersForAdmin } from "./users/views";
import { verifyCredentials } from "../auth/credentials";

let database: { url: string; drop: () => Promise<void> };
let sim: PveSimulator;
let root: AdminActor;

const SECRET = "a-very-secret-token-value-0001";

beforeAll(async () => {
  database = await useMigratedDatabase();
  sim = await startPveSimulator(demoClusterOptions({ authFailureDelayMs: 0 }));
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET, tls: { verify: true } }],
    templates: [{ name: "debian-12", provider: "lab", node: "pve2", vmid: 9001, public: true }],
    plans: [
      { name: "standard", default: true, perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 16, memoryMb: 32768, diskGb: 500, vms: 5 } },
      { name: "large", perVm: { cpuCores: 16, memoryMb: 65536, diskGb: 500 }, total: { cpuCores: 64, memoryMb: 262144, diskGb: 2000, vms: 20 } },
    ],
    users: [
      { email: "root@example.com", password: "root-password-1", role: "admin" },
      { email: "ada@example.com", password: "ada-password-1", role: "user", plan: "standard" },
      { email: "bob@example.com", password: "bob-password-1", role: "user", plan: "standard" },
    ],
  });
  const admin = await db().user.findUniqueOrThrow({ where: { email: "root@example.com" } });
  root = { id: admin.id, email: admin.email, ip: "192.0.2.7" };
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await database?.drop();
});

const userId = async (email: string) => (await db().user.findUniqueOrThrow({ where: { email } })).id;
const planId = async (name: string) => (await db().plan.findUniqueOrThrow({ where: { name } })).id;

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

function planInput(overrides: Record<string, unknown> = {}) {
  return planFormSchema.parse({
    name: "tiny",
    description: "One small VM",
    isDefault: false,
    maxCpuCoresPerVm: 1,
    maxMemoryMbPerVm: 1024,
    maxDiskGbPerVm: 20,
    maxGpusPerVm: 0,
    maxCpuCoresSum: 1,
    maxMemoryMbSum: 1024,
    maxDiskGbSum: 20,
    maxGpusSum: 0,
    maxVms: 1,
    maxMonthlySpend: "",
    allowedProviderIds: [],
    allowedRentalTypes: [],
    allowedGpuTypes: [],
    ...overrides,
  });
}

async function userInput(email: string, changes: Record<string, unknown>) {
  const u = await db().user.findUniqueOrThrow({ where: { email } });
  return userUpdateSchema.parse({ id: u.id, name: u.name, role: u.role, planId: u.planId ?? "", teamId: u.teamId ?? "", disabled: u.disabled, ...changes });
}

describe("the last admin", () => {
  it("cannot be demoted or disabled, and an admin cannot disable themself", async () => {
    const demote = await refusal(updateUser(await userInput("root@example.com", { role: "user" }), root));
    expect(demote.message).toBe("root@example.com is the last enabled admin: make another user an admin first");
    expect(demote.data).toEqual({ fieldErrors: { role: demote.message } });
    const self = await refusal(updateUser(await userInput("root@example.com", { disabled: true }), root));
    expect(self.message).toBe("You cannot disable your own account");

    // With a second admin, one of them may go; then the other is the last one again.
    await updateUser(await userInput("bob@example.com", { role: "admin" }), root);
    const bob: AdminActor = { id: await userId("bob@example.com"), email: "bob@example.com" };
    await updateUser(await userInput("root@example.com", { disabled: true }), bob);
    const last = await refusal(updateUser(await userInput("bob@example.com", { role: "support" }), bob));
    expect(last.message).toContain("bob@example.com is the last enabled admin");
    await updateUser(await userInput("root@example.com", { disabled: false }), bob);
    expect(await db().user.count({ where: { role: "admin", disabled: false } })).toBe(2);
  });

  it("survives two admins demoting each other at the same moment: one of them stays", async () => {
    const bob: AdminActor = { id: await userId("bob@example.com"), email: "bob@example.com" };
    const results = await Promise.allSettled([
      updateUser(await userInput("bob@example.com", { role: "user" }), root),
      updateUser(await userInput("root@example.com", { role: "user" }), bob),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await db().user.count({ where: { role: "admin", disabled: false } })).toBe(1);
    // Leave root the one admin for the tests below.
    const admin = await db().user.findFirstOrThrow({ where: { role: "admin", disabled: false } });
    if (admin.email !== "root@example.com") {
      await updateUser(await userInput("root@example.com", { role: "admin" }), bob);
      await updateUser(await userInput("bob@example.com", { role: "user" }), root);
    }
    expect((await db().user.findUniqueOrThrow({ where: { email: "root@example.com" } })).role).toBe("admin");
  });

  it("records who disabled whom, with the changed keys", async () => {
    await updateUser(await userInput("bob@example.com", { disabled: true }), root);
    const { events } = await listAuditEvents({ actor: "root@", action: "user.disable", targetType: "user", page: 1 });
    expect(events[0]).toMatchObject({ actorEmail: "root@example.com", ip: "192.0.2.7", kind: "update", changes: [{ key: "disabled", before: false, after: true }] });
    await expect(verifyCredentials("bob@example.com", "bob-password-1")).rejects.toThrow("disabled");
    await updateUser(await userInput("bob@example.com", { disabled: false }), root);
  });
});

describe("the default plan", () => {
  it("is unique: making a plan the default unsets the other, each change audited", async () => {
    const { id } = await savePlan(planInput({ isDefault: true }), root);
    const defaults = await db().plan.findMany({ where: { isDefault: true } });
    expect(defaults.map((p) => p.id)).toEqual([id]);
    const { events } = await listAuditEvents({ actor: "", action: "plan.", targetType: "plan", page: 1 });
    expect(events.map((e) => [e.action, e.changes.map((c) => c.key)])).toEqual(
      expect.arrayContaining([
        ["plan.update", ["isDefault"]],
        ["plan.create", expect.arrayContaining(["name", "isDefault", "maxCpuCoresPerVm"])],
      ]),
    );
  });

  it("keeps a monthly spend limit exactly, and audits it as its value", async () => {
    const { id } = await savePlan(planInput({ name: "spender", maxMonthlySpend: "250.50" }), root);
    expect((await db().plan.findUniqueOrThrow({ where: { id } })).maxMonthlySpend?.toFixed(2)).toBe("250.50");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { targetId: id, action: "plan.create" } });
    expect(audit.after).toMatchObject({ maxMonthlySpend: "250.5" });
    await deletePlan(id, root);
  });

  it("cannot be unset directly, nor deleted: another plan must become the default", async () => {
    const tiny = await planId("tiny");
    const unset = await refusal(savePlan(planInput({ id: tiny, isDefault: false }), root));
    expect(unset.data).toEqual({ fieldErrors: { isDefault: "This is the default plan for new users: make another plan the default instead" } });
    const del = await refusal(deletePlan(tiny, root));
    expect(del.message).toBe('Plan "tiny" is the default plan for new users: make another plan the default first');
  });

  it("stays unique when two plans are made the default at the same moment", async () => {
    const large = await db().plan.findUniqueOrThrow({ where: { name: "large" } });
    const standard = await db().plan.findUniqueOrThrow({ where: { name: "standard" } });
    const input = (p: typeof large) =>
      planInput({
        id: p.id,
        name: p.name,
        isDefault: true,
        maxCpuCoresPerVm: p.maxCpuCoresPerVm,
        maxMemoryMbPerVm: p.maxMemoryMbPerVm,
        maxDiskGbPerVm: p.maxDiskGbPerVm,
        maxCpuCoresSum: p.maxCpuCoresSum,
        maxMemoryMbSum: p.maxMemoryMbSum,
        maxDiskGbSum: p.maxDiskGbSum,
        maxVms: p.maxVms,
      });
    await Promise.all([savePlan(input(large), root), savePlan(input(standard), root)]);
    expect(await db().plan.count({ where: { isDefault: true } })).toBe(1);
  });

  it("a plan in use cannot be deleted; once unused it can", async () => {
    const standard = await planId("standard");
    const tiny = await planId("tiny");
    // Make sure tiny is not the default, then put Ada on it.
    const current = await db().plan.findFirstOrThrow({ where: { isDefault: true } });
    if (current.id === tiny) await savePlan(planInput({ id: standard, name: "standard", isDefault: true, maxCpuCoresPerVm: 4, maxMemoryMbPerVm: 8192, maxDiskGbPerVm: 100, maxCpuCoresSum: 16, maxMemoryMbSum: 32768, maxDiskGbSum: 500, maxVms: 5 }), root);
    await assignPlan({ planId: tiny, userIds: [await userId("ada@example.com")], teamIds: [] }, root);
    const used = await refusal(deletePlan(tiny, root));
    expect(used.message).toBe('Plan "tiny" is still used by 1 user: assign them another plan first');
    expect(used.code).toBe("conflict");
    await assignPlan({ planId: standard, userIds: [await userId("ada@example.com")], teamIds: [] }, root);
    await deletePlan(tiny, root);
    expect(await db().plan.findUnique({ where: { name: "tiny" } })).toBeNull();
    const { events } = await listAuditEvents({ actor: "", action: "plan.delete", targetType: "", page: 1 });
    expect(events[0]).toMatchObject({ kind: "delete", targetType: "plan" });
  });
});

describe("providers", () => {
  const form = (overrides: Record<string, unknown> = {}) =>
    providerFormSchema.parse({
      name: "lab2",
      kind: "pve",
      url: sim.url,
      pveAuth: "token",
      tokenId: "root@pam!other",
      secret: SECRET,
      username: "",
      password: "",
      realm: "",
      apiKey: "",
      tlsVerify: true,
      tlsCa: "",
      tlsFingerprint: "",
      settings: { defaultStorage: "local-lvm" },
      enabled: true,
      ...overrides,
    });

  it("stores secrets encrypted, never returns them to pages, and never audits them", async () => {
    const { id } = await saveProvider(form(), root);
    const row = await db().providerConnection.findUniqueOrThrow({ where: { id } });
    expect(row.credentials).not.toContain(SECRET);
    expect(decryptJson(row.credentials)).toEqual({ tokenId: "root@pam!other", secret: SECRET });

    const views = JSON.stringify([await listProviders(), await getProvider(id)]);
    expect(views).not.toContain(SECRET);
    expect(views).not.toContain(row.credentials);
    expect(views).not.toContain(DEMO_TOKEN_SECRET);
    expect(await getProvider(id)).toMatchObject({ name: "lab2", settings: { defaultStorage: "local-lvm" }, auth: { method: "token", tokenId: "root@pam!other" } });
    expect(Object.keys(await getProvider(id))).not.toContain("credentials");

    const audit = await db().auditEvent.findMany({ where: { targetId: id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ name: "lab2", authMethod: "token", rotated: true });
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(JSON.stringify(audit)).not.toContain(row.credentials);
  });

  it("keeps the stored secret when an edit leaves it empty, but not for another login", async () => {
    const lab2 = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab2" } });
    await saveProvider(form({ id: lab2.id, secret: "", enabled: false }), root);
    const kept = await db().providerConnection.findUniqueOrThrow({ where: { id: lab2.id } });
    expect(decryptJson(kept.credentials)).toEqual({ tokenId: "root@pam!other", secret: SECRET });
    expect(kept.credentials).toBe(lab2.credentials);
    expect(kept.enabled).toBe(false);

    const otherToken = await refusal(saveProvider(form({ id: lab2.id, tokenId: "root@pam!third", secret: "" }), root));
    expect(otherToken.data).toEqual({ fieldErrors: { secret: "Required: the stored token secret belongs to another login" } });
    const ticket = await refusal(saveProvider(form({ id: lab2.id, pveAuth: "password", username: "root", password: "" }), root));
    expect(ticket.data).toEqual({ fieldErrors: { password: "Required: no password is stored" } });
    const kind = await refusal(saveProvider(form({ id: lab2.id, kind: "nova", apiKey: "" }), root));
    expect(kind.data).toEqual({ fieldErrors: { apiKey: "Required: no API key is stored" } });
    // The kind's connection settings are checked by its module: a bad one is named by its field.
    const storage = await refusal(saveProvider(form({ id: lab2.id, secret: "", settings: { defaultStorage: "-bad" } }), root));
    expect(storage.data).toEqual({ fieldErrors: { "settings.defaultStorage": "Must be a PVE storage ID, e.g. local-lvm" } });
    const name = await refusal(saveProvider(form({ name: "lab" }), root));
    expect(name.data).toEqual({ fieldErrors: { name: "A provider with this name already exists" } });

    const audits = await db().auditEvent.findMany({ where: { targetId: lab2.id, action: "provider.update" } });
    expect(audits).toHaveLength(1);
    expect(audits[0]!.after).toMatchObject({ enabled: false, rotated: false });
  });

  it("deletes a provider nothing uses, audited without its secret; one with templates is refused", async () => {
    const { id } = await saveProvider(form({ name: "short-lived", tokenId: "root@pam!short" }), root);
    await deleteProvider(id, root);
    expect(await db().providerConnection.findUnique({ where: { id } })).toBeNull();
    const audited = await db().auditEvent.findFirstOrThrow({ where: { action: "provider.delete", targetId: id } });
    expect(audited.before).toMatchObject({ name: "short-lived", kind: "pve" });
    expect(JSON.stringify(audited)).not.toContain(SECRET);

    const lab = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } });
    const refused = await refusal(deleteProvider(lab.id, root));
    expect(refused.code).toBe("conflict");
    expect(refused.message).toMatch(/^Provider "lab" is still used by \d+ template.*: disable it instead$/);
    expect(await db().providerConnection.findUnique({ where: { id: lab.id } })).not.toBeNull();
  });

  it("tests a connection (the version, or the provider's words); a Nova Cloud connection can be saved enabled", async () => {
    const lab = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } });
    expect(await testProviderConnection(lab.id)).toEqual({ version: expect.stringMatching(/^9\.1/) });
    const lab2 = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab2" } });
    const refused = await refusal(testProviderConnection(lab2.id));
    expect(refused.message).toMatch(/authentication failed|invalid token/i);
    const nova = form({ name: "nova", kind: "nova", url: "https://api.nova.example", apiKey: "nv_secret_1", settings: { storageGbHourly: "0.0002" } });
    const { id } = await saveProvider({ ...nova, enabled: true }, root);
    const saved = await db().providerConnection.findUniqueOrThrow({ where: { id } });
    expect({ enabled: saved.enabled, settings: saved.settings }).toEqual({ enabled: true, settings: { storageGbHourly: "0.0002" } });
    await db().providerConnection.delete({ where: { id } });
  });

  it("VergeOS signs in with an API key, a user and password (HTTP Basic) or a session token; Nova with an API key or an email and password; pages get no secret", async () => {
    const verge = (overrides: Record<string, unknown>) => form({ name: "verge-auth", kind: "vergeos", url: "https://verge.example", settings: { defaultTier: "1" }, tokenId: "", secret: "", ...overrides });
    const { id } = await saveProvider(verge({ authMode: "session", username: "hangar", password: "verge-pass-1" }), root);
    let row = await db().providerConnection.findUniqueOrThrow({ where: { id } });
    expect(decryptJson(row.credentials)).toEqual({ username: "hangar", password: "verge-pass-1" });
    expect(row.settings).toEqual({ defaultTier: "1", passwordAuth: "token" });
    expect(await getProvider(id)).toMatchObject({ auth: { method: "password", username: "hangar" }, settings: { passwordAuth: "token" } });
    expect(JSON.stringify(await getProvider(id))).not.toContain("verge-pass-1");

    // HTTP Basic with the same user keeps the stored password; a typed one replaces it.
    await saveProvider(verge({ id, authMode: "password", username: "hangar", password: "" }), root);
    row = await db().providerConnection.findUniqueOrThrow({ where: { id } });
    expect(decryptJson(row.credentials)).toEqual({ username: "hangar", password: "verge-pass-1" });
    expect(row.settings).toEqual({ defaultTier: "1", passwordAuth: "basic" });
    const otherUser = await refusal(saveProvider(verge({ id, authMode: "password", username: "someone", password: "" }), root));
    expect(otherUser.data).toEqual({ fieldErrors: { password: "Required: the stored password belongs to another login" } });

    // An API key replaces the user; the password setting goes with it.
    await saveProvider(verge({ id, authMode: "apiKey", apiKey: "verge-key-1" }), root);
    row = await db().providerConnection.findUniqueOrThrow({ where: { id } });
    expect(decryptJson(row.credentials)).toEqual({ apiKey: "verge-key-1" });
    expect(row.settings).toEqual({ defaultTier: "1" });
    await db().providerConnection.delete({ where: { id } });

    const nova = (overrides: Record<string, unknown>) => form({ name: "nova-auth", kind: "nova", url: "https://api.nova.example", settings: {}, tokenId: "", secret: "", ...overrides });
    const saved = await saveProvider(nova({ authMode: "password", username: "ops@example.com", password: "nova-pass-1234" }), root);
    const novaRow = await db().providerConnection.findUniqueOrThrow({ where: { id: saved.id } });
    expect(decryptJson(novaRow.credentials)).toEqual({ email: "ops@example.com", password: "nova-pass-1234" });
    expect(await getProvider(saved.id)).toMatchObject({ auth: { method: "password", username: "ops@example.com" } });
    expect(JSON.stringify([await listProviders(), await getProvider(saved.id)])).not.toContain("nova-pass-1234");
    const audits = await db().auditEvent.findMany({ where: { targetId: saved.id } });
    expect(JSON.stringify(audits)).not.toContain("nova-pass-1234");
    await db().providerConnection.delete({ where: { id: saved.id } });
  });

  it("discovers templates with their portal names and imports one under a new name", async () => {
    const lab = await db().providerConnection.findUniqueOrThrow({ where: { name: "lab" } });
    const found = await discoverProvider(lab.id);
    const table = (title: string) => found.inventory.find((t) => t.title === title)!;
    expect(table("Nodes").rows.map((r) => r[0])).toEqual(["pve1", "pve2", "pve3"]);
    expect(table("Storages").rows.map((r) => r[1])).toContain("NFS (shared)");
    const debian = found.templates.find((t) => t.ref.id === "9001")!;
    expect(debian).toMatchObject({ name: "debian-12-template", ref: { data: { node: "pve2", vmid: 9001 } }, where: "vmid 9001 on pve2", size: { cpuCores: 2, memoryMb: 2048, diskGb: 20 }, publishedAs: ["debian-12"] });

    const row = (vmid: number, name: string) => ({ selected: true, ref: { id: String(vmid), data: { node: "pve2", vmid } }, name, os: "Debian 12", description: "for builds", public: false, minCpuCores: 2, minMemoryMb: 2048, minDiskGb: 20 });
    const clash = await refusal(importTemplates(importTemplatesSchema.parse({ providerId: lab.id, templates: [{ selected: false }, row(9001, "Debian-12")] }), root));
    expect(clash.data).toEqual({ fieldErrors: { "templates.1.name": 'A template named "Debian-12" already exists' } });

    const { ids } = await importTemplates(importTemplatesSchema.parse({ providerId: lab.id, templates: [{ selected: false }, row(9001, "bookworm-builds")] }), root);
    const imported = await getTemplateForAdmin(ids[0]!);
    expect(imported).toMatchObject({ name: "bookworm-builds", providerRefId: "9001", public: false, enabled: true, minCpuCores: 2, minMemoryMb: 2048, minDiskGb: 20 });
    expect((await discoverProvider(lab.id)).templates.find((t) => t.ref.id === "9001")!.publishedAs).toEqual(["bookworm-builds", "debian-12"]);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { targetId: ids[0], action: "template.import" } });
    expect(audit.after).toMatchObject({ name: "bookworm-builds", provider: "lab" });
  });
});

describe("templates", () => {
  it("grants to users and teams replace the previous grants, audited by email and team name", async () => {
    const { id: teamId } = await saveTeam({ name: "builders", description: "", planId: null }, root);
    const t = await getTemplateForAdmin((await db().template.findUniqueOrThrow({ where: { name: "bookworm-builds" } })).id);
    const input = (changes: Record<string, unknown>) =>
      templateFormSchema.parse({
        id: t.id,
        name: t.name,
        os: t.os,
        description: t.description,
        public: false,
        enabled: true,
        userIds: [],
        teamIds: [],
        ciuser: "debian",
        settings: { storage: "" },
        minCpuCores: t.minCpuCores,
        minMemoryMb: t.minMemoryMb,
        minDiskGb: t.minDiskGb,
        defaultCpuCores: 2,
        defaultMemoryMb: 4096,
        defaultDiskGb: "",
        ...changes,
      });
    await updateTemplate(input({ userIds: [await userId("ada@example.com"), await userId("bob@example.com")], teamIds: [teamId] }), root);
    let saved = await getTemplateForAdmin(t.id);
    expect(saved.userIds.length).toBe(2);
    expect(saved.teamIds).toEqual([teamId]);
    expect(saved).toMatchObject({ ciuser: "debian", defaultCpuCores: 2, defaultMemoryMb: 4096, defaultDiskGb: null });

    await updateTemplate(input({ userIds: [await userId("bob@example.com")], teamIds: [] }), root);
    saved = await getTemplateForAdmin(t.id);
    expect(saved.userIds).toEqual([await userId("bob@example.com")]);
    expect(saved.teamIds).toEqual([]);
    expect(await db().templateTeamGrant.count({ where: { templateId: t.id } })).toBe(0);

    const { events } = await listAuditEvents({ actor: "", action: "template.update", targetType: "template", page: 1 });
    // jsonb keeps its own key order: compare as sets.
    expect(events[0]!.changes).toHaveLength(2);
    expect(events[0]!.changes).toEqual(
      expect.arrayContaining([
        { key: "users", before: ["ada@example.com", "bob@example.com"], after: ["bob@example.com"] },
        { key: "teams", before: ["builders"], after: [] },
      ]),
    );
    const unknown = await refusal(updateTemplate(input({ userIds: ["no-such-user"] }), root));
    expect(unknown.data).toEqual({ fieldErrors: { userIds: "One of these users no longer exists: reload the page" } });
    const name = await refusal(updateTemplate(input({ name: "DEBIAN-12" }), root));
    expect(name.data).toEqual({ fieldErrors: { name: "A template with this name already exists" } });
  });
});

describe("teams and users", () => {
  it("a user is in at most one team: adding them to another moves them", async () => {
    const builders = (await db().team.findUniqueOrThrow({ where: { name: "builders" } })).id;
    const { id: ops } = await saveTeam({ name: "ops", description: "On call", planId: await planId("large") }, root);
    const ada = await userId("ada@example.com");
    // Everyone not in the team can be added, including people in no team at all.
    expect((await memberCandidates(builders)).map((u) => u.email)).toEqual(expect.arrayContaining(["ada@example.com", "bob@example.com", "root@example.com"]));
    await addTeamMembers({ teamId: builders, userIds: [ada] }, root);
    expect((await memberCandidates(builders)).map((u) => u.email)).not.toContain("ada@example.com");
    expect((await memberCandidates(ops)).find((u) => u.email === "ada@example.com")).toMatchObject({ currentTeam: "builders" });
    await addTeamMembers({ teamId: ops, userIds: [ada] }, root);
    expect((await db().user.findUniqueOrThrow({ where: { id: ada } })).teamId).toBe(ops);
    const { events } = await listAuditEvents({ actor: "", action: "user.update", targetType: "user", page: 1 });
    expect(events[0]!.changes).toEqual([{ key: "team", before: "builders", after: "ops" }]);
    await removeTeamMember({ teamId: ops, userId: ada }, root);
    expect((await db().user.findUniqueOrThrow({ where: { id: ada } })).teamId).toBeNull();
    expect((await refusal(removeTeamMember({ teamId: ops, userId: ada }, root))).message).toBe("ada@example.com is not a member of ops");
    expect((await refusal(saveTeam({ name: "ops", description: "", planId: null }, root))).data).toEqual({ fieldErrors: { name: "A team with this name already exists" } });
  });

  it("creates a user with a generated password shown once and stored only as a hash", async () => {
    const { id, generatedPassword } = await createUserAsAdmin(
      userCreateSchema.parse({ email: "Grace@Example.com", name: "Grace", role: "support", planId: await planId("large"), teamId: "", password: "" }),
      root,
    );
    expect(generatedPassword).toMatch(/^[\w-]{16}$/);
    await expect(verifyCredentials("grace@example.com", generatedPassword!)).resolves.toMatchObject({ id, role: "support" });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { targetId: id, action: "user.create" } });
    expect(audit.after).toMatchObject({ email: "grace@example.com", plan: "large", passwordHash: "[redacted]" });
    expect(JSON.stringify(audit)).not.toContain(generatedPassword);
    const dup = await refusal(createUserAsAdmin(userCreateSchema.parse({ email: "grace@example.com", name: "", role: "user", planId: "", teamId: "", password: "long-enough" }), root));
    expect(dup.data).toEqual({ fieldErrors: { email: "A user with this email already exists" } });
  });

  it("stores per-user overrides of single limits, and the user list shows usage", async () => {
    const ada = await userId("ada@example.com");
    await setQuotaOverrides({ id: ada, overrides: { maxCpuCoresSum: 32, maxVms: null, maxMonthlySpend: "99.5" } as never }, root);
    expect((await db().user.findUniqueOrThrow({ where: { id: ada } })).quotaOverrides).toEqual({ maxCpuCoresSum: 32, maxMonthlySpend: 99.5 });
    const detail = await getUserForAdmin(ada);
    expect(detail.quotaOverrides).toEqual({ maxCpuCoresSum: 32, maxMonthlySpend: 99.5 });
    expect(detail.usage).toMatchObject({ vms: 0, cpuCoresLimit: 32, vmsLimit: 5 });
    const rows = await listUsersForAdmin();
    expect(rows.find((r) => r.id === ada)).toMatchObject({ plan: "standard", overrides: 2, usage: { vms: 0, vmsLimit: 5 } });
  });
});

describe("prices", () => {
  it("sets the currency and prices, removes emptied ones, and audits the change", async () => {
    await savePrices(pricesFormSchema.parse({ currency: "usd", vcpuHour: "0.01", memoryGbHour: "0.005", diskGbMonth: "0.1", gpuHour: { "5090": "", "4090": "0.5", "6000pro": "" } }), root);
    // GPU types are the ids asked for (the offers') and those with a price.
    expect(await getPrices(["5090", "4090", "6000pro"])).toMatchObject({ currency: "USD", vcpuHour: "0.01", memoryGbHour: "0.005", diskGbMonth: "0.1", gpuHour: { "5090": null, "4090": "0.5", "6000pro": null } });
    expect((await getPrices()).gpuHour).toEqual({ "4090": "0.5" });
    await savePrices(pricesFormSchema.parse({ currency: "EUR", vcpuHour: "0.02", memoryGbHour: "0.005", diskGbMonth: "", gpuHour: { "5090": "", "4090": "0.5", "6000pro": "" } }), root);
    expect(await db().price.count()).toBe(3);
    const { events } = await listAuditEvents({ actor: "", action: "prices", targetType: "prices", page: 1 });
    expect(events[0]!.changes).toHaveLength(3);
    expect(events[0]!.changes).toEqual(
      expect.arrayContaining([
        { key: "currency", before: "USD", after: "EUR" },
        { key: "vcpu_hour", before: "0.01", after: "0.02" },
        { key: "disk_gb_month", before: "0.1", after: null },
      ]),
    );
  });
});

describe("the audit log", () => {
  it("filters by actor, action, target type and dates, and pages", async () => {
    const all = await listAuditEvents({ actor: "", action: "", targetType: "", page: 1 }, 5);
    expect(all.total).toBeGreaterThan(10);
    expect(all.events).toHaveLength(5);
    expect(all.pageCount).toBe(Math.ceil(all.total / 5));
    const last = await listAuditEvents({ actor: "", action: "", targetType: "", page: 9999 }, 5);
    expect(last.page).toBe(all.pageCount);
    const byConfig = await listAuditEvents({ actor: "config", action: "", targetType: "provider", page: 1 });
    expect(byConfig.events.map((e) => e.action)).toEqual(["provider.create"]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listAuditEvents({ actor: "", action: "", targetType: "", from: today, to: today, page: 1 })).total).toBe(all.total);
    expect((await listAuditEvents({ actor: "", action: "", targetType: "", to: "2000-01-01", page: 1 })).total).toBe(0);
  });
});
