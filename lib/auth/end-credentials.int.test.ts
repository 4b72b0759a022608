import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/v1/me/route";
import { POST as login } from "@/app/api/v1/auth/login/route";
import { signOutEverywhere } from "../admin/users/sign-out-everywhere";
import { updateUser } from "../admin/users/update-user";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { userEditSchema } from "../schemas/credentials";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { authenticateBearer, createPersonalToken } from "./api-tokens";
import { changeOwnPassword } from "./change-password";
import { verifyCredentials } from "./credentials";
import { createSession, validateSession } from "./sessions";

/**
 * Finding 3 of issue 7: a password change (config file, admin console, profile), a disable, a
 * lower role and the admin's "Sign out everywhere" end the user's sessions and tokens at once,
 * and enabling the user again revives none of them.
 */
let database: { drop: () => Promise<void> };
const PASSWORD = "first password 1";
let admin: { id: string; email: string };

beforeAll(async () => {
  database = await useMigratedDatabase();
  admin = await createUser({ email: "boss@example.com", password: "boss password", role: "admin" });
});
afterAll(async () => database.drop());
beforeEach(async () => {
  await db().rateLimit.deleteMany();
});

let counter = 0;
async function person(role: "user" | "support" | "admin" = "user") {
  counter += 1;
  return createUser({ email: `person${counter}@example.com`, password: PASSWORD, role });
}

/** Two browser sessions, an API login token (from the real route) and a personal token. */
async function credentialsOf(user: { id: string; email: string }) {
  const a = await createSession(user.id);
  const b = await createSession(user.id);
  const res = await login(
    new Request("http://hangar.test/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-hangar-client-ip": "192.0.2.1" },
      body: JSON.stringify({ email: user.email, password: PASSWORD }),
    }),
    { params: Promise.resolve({}) },
  );
  expect(res.status).toBe(200);
  const loginToken = ((await res.json()) as { data: { token: string } }).data.token;
  const { token: personal } = await createPersonalToken(user.id, { name: `ci-${Math.random()}` });
  return { sessions: [a.sid, b.sid], loginToken, personal };
}

async function alive(c: Awaited<ReturnType<typeof credentialsOf>>) {
  const meStatus = async (token: string) => (await me(new Request("http://hangar.test/api/v1/me", { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) })).status;
  return {
    sessions: (await Promise.all(c.sessions.map((sid) => validateSession(sid)))).map(Boolean),
    loginToken: (await meStatus(c.loginToken)) === 200,
    personal: Boolean(await authenticateBearer(`Bearer ${c.personal}`)),
  };
}
const ALL = { sessions: [true, true], loginToken: true, personal: true };
const NONE = { sessions: [false, false], loginToken: false, personal: false };
const ONLY_PERSONAL = { sessions: [false, false], loginToken: false, personal: true };

const actor = () => ({ id: admin.id, email: admin.email, ip: "203.0.113.1" });
async function edit(user: { id: string; role: string }, change: Record<string, unknown>) {
  const current = await db().user.findUniqueOrThrow({ where: { id: user.id } });
  return updateUser(
    userEditSchema.parse({ id: user.id, name: current.name, role: current.role, planId: current.planId ?? "", teamId: current.teamId ?? "", disabled: current.disabled, ...change }),
    actor(),
  );
}
const endAudits = (userId: string) => db().auditEvent.findMany({ where: { action: "user.credentials_end", targetId: userId }, orderBy: { at: "asc" } });

describe("hangar apply", () => {
  it("a changed password ends sessions, login tokens and personal tokens; the same password applied again ends nothing", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    await applyConfig({ users: [{ email: user.email, password: PASSWORD, role: "user" }] });
    expect(await alive(c)).toEqual(ALL);
    await applyConfig({ users: [{ email: user.email, password: "second password 2", role: "user" }] });
    expect(await alive(c)).toEqual(NONE);
    await expect(verifyCredentials(user.email, "second password 2")).resolves.toMatchObject({ id: user.id });
    const [audit] = await endAudits(user.id);
    expect(audit).toMatchObject({ actorEmail: "config", after: { reason: "password_change", browserSessionsEnded: 2, apiLoginsEnded: 1, personalApiAccessRevoked: 1 } });
  });

  it("keepApiTokens keeps personal tokens through a password change", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    await applyConfig({ users: [{ email: user.email, password: "second password 2", role: "user", keepApiTokens: true }] });
    expect(await alive(c)).toEqual(ONLY_PERSONAL);
  });

  it("a disable ends everything and enabling again revives nothing", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    await applyConfig({ users: [{ email: user.email, role: "user", disabled: true }] });
    expect(await alive(c)).toEqual(NONE);
    await applyConfig({ users: [{ email: user.email, role: "user", disabled: false }] });
    expect(await alive(c)).toEqual(NONE);
  });

  it("a lower role ends sessions and login tokens (personal tokens act with the new role)", async () => {
    const user = await person("admin");
    const c = await credentialsOf(user);
    await applyConfig({ users: [{ email: user.email, role: "support" }] });
    expect(await alive(c)).toEqual(ONLY_PERSONAL);
    const fresh = await credentialsOf(user);
    await applyConfig({ users: [{ email: user.email, role: "admin" }] }); // raising ends nothing
    expect(await alive(fresh)).toEqual(ALL);
  });
});

describe("admin console", () => {
  it("a new password ends everything (personal tokens unless kept)", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    await edit(user, { newPassword: "admin-set password" });
    expect(await alive(c)).toEqual(NONE);
    await expect(verifyCredentials(user.email, "admin-set password")).resolves.toMatchObject({ id: user.id });
    expect(await db().auditEvent.count({ where: { action: "user.password_change", targetId: user.id, actorId: admin.id } })).toBe(1);

    const other = await person();
    const d = await credentialsOf(other);
    await edit(other, { newPassword: "admin-set password", keepApiTokens: true });
    expect(await alive(d)).toEqual(ONLY_PERSONAL);
  });

  it("an empty new password changes nothing and ends nothing", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    await edit(user, { newPassword: "", name: "Renamed" });
    expect(await alive(c)).toEqual(ALL);
    await expect(verifyCredentials(user.email, PASSWORD)).resolves.toMatchObject({ id: user.id });
  });

  it("disable then enable revives nothing", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    await edit(user, { disabled: true });
    await edit(user, { disabled: false });
    expect(await alive(c)).toEqual(NONE);
    const [audit] = await endAudits(user.id);
    expect(audit).toMatchObject({ actorId: admin.id, ip: "203.0.113.1", after: { reason: "disabled" } });
  });

  it("lowering a role ends sessions and login tokens; other edits end nothing", async () => {
    const user = await person("support");
    const c = await credentialsOf(user);
    await edit(user, { name: "Still support" });
    expect(await alive(c)).toEqual(ALL);
    await edit(user, { role: "user" });
    expect(await alive(c)).toEqual(ONLY_PERSONAL);
  });

  it("Sign out everywhere ends sessions and login tokens, and personal tokens when asked", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    const ended = await signOutEverywhere({ id: user.id, revokeApiTokens: false }, actor());
    expect(ended).toEqual({ sessions: 2, sessionTokens: 1, personalTokens: 0 });
    expect(await alive(c)).toEqual(ONLY_PERSONAL);
    await signOutEverywhere({ id: user.id, revokeApiTokens: true }, actor());
    expect(await alive(c)).toEqual(NONE);
    expect((await endAudits(user.id)).map((a) => (a.after as { reason: string }).reason)).toEqual(["sign_out_everywhere", "sign_out_everywhere"]);
    await expect(signOutEverywhere({ id: "00000000-0000-0000-0000-000000000000", revokeApiTokens: false }, actor())).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("profile password change", () => {
  it("a wrong current password changes and ends nothing", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    await expect(changeOwnPassword(user.id, { currentPassword: "not it at all", newPassword: "my new password", keepApiTokens: false })).rejects.toMatchObject({
      code: "bad_request",
      data: { fieldErrors: { currentPassword: "This is not your current password" } },
    });
    expect(await alive(c)).toEqual(ALL);
  });

  it("ends every other session and token; the session making the change stays", async () => {
    const user = await person();
    const c = await credentialsOf(user);
    const [current, other] = c.sessions;
    await changeOwnPassword(user.id, { currentPassword: PASSWORD, newPassword: "my new password", keepApiTokens: false }, { currentSessionId: current });
    expect(await validateSession(current!)).toMatchObject({ id: user.id });
    expect(await validateSession(other!)).toBeNull();
    expect((await alive(c)).loginToken).toBe(false);
    expect((await alive(c)).personal).toBe(false);
    await expect(verifyCredentials(user.email, "my new password")).resolves.toMatchObject({ id: user.id });
  });
});
