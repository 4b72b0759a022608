import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { updateUser } from "../admin/users/update-user";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { userEditSchema } from "../schemas/credentials";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { authenticateBearer, issueSessionToken } from "./api-tokens";
import { verifyCredentials } from "./credentials";
import { createSession, validateSession } from "./sessions";

/**
 * A sign-in checks the password, then issues a session or login token. A password change,
 * disable or lower role that commits between the two used to end every credential *before*
 * the new one existed, so the new one survived it (reproduced over HTTP: logins in flight while
 * `hangar apply` changed the password kept 4 of 60 tokens working with the old password). The
 * credential is now issued only while what the check saw still holds (same password, same
 * role, not disabled), under a lock on the user's row that the change also takes.
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
async function person(role: "user" | "support" = "user") {
  counter += 1;
  return createUser({ email: `racer${counter}@example.com`, password: PASSWORD, role });
}

async function edit(user: { id: string }, change: Record<string, unknown>) {
  const current = await db().user.findUniqueOrThrow({ where: { id: user.id } });
  return updateUser(
    userEditSchema.parse({ id: user.id, name: current.name, role: current.role, planId: current.planId ?? "", teamId: current.teamId ?? "", disabled: current.disabled, ...change }),
    { id: admin.id, email: admin.email, ip: "192.0.2.9" },
  );
}

const loginTokens = (userId: string) => db().apiToken.count({ where: { userId, kind: "session" } });
const sessions = (userId: string) => db().session.count({ where: { userId } });

describe("a credential is issued only while the sign-in's check still holds", () => {
  it("nothing changed: the login token and the browser session are issued", async () => {
    const user = await person();
    const verified = await verifyCredentials(user.email, PASSWORD);
    const { token } = await issueSessionToken(verified.id, verified.stamp);
    expect(await authenticateBearer(`Bearer ${token}`)).toMatchObject({ id: user.id });
    const { sid } = await createSession(verified.id, {}, verified.stamp);
    expect(await validateSession(sid)).toMatchObject({ id: user.id });
  });

  it("the password changed by `hangar apply` after the check: no login token, no session", async () => {
    const user = await person();
    const verified = await verifyCredentials(user.email, PASSWORD);
    await applyConfig({ users: [{ email: user.email, password: "second password 2", role: "user" }] });
    await expect(issueSessionToken(verified.id, verified.stamp)).rejects.toMatchObject({ status: 401 });
    await expect(createSession(verified.id, {}, verified.stamp)).rejects.toMatchObject({ status: 401 });
    expect(await loginTokens(user.id)).toBe(0);
    expect(await sessions(user.id)).toBe(0);
  });

  it("the user disabled after the check: nothing issued, and enabling again revives nothing", async () => {
    const user = await person();
    const verified = await verifyCredentials(user.email, PASSWORD);
    await edit(user, { disabled: true });
    await expect(issueSessionToken(verified.id, verified.stamp)).rejects.toMatchObject({ status: 401 });
    await expect(createSession(verified.id, {}, verified.stamp)).rejects.toMatchObject({ status: 401 });
    await edit(user, { disabled: false });
    expect(await loginTokens(user.id)).toBe(0);
    expect(await sessions(user.id)).toBe(0);
  });

  it("a lower role after the check: nothing issued", async () => {
    const user = await person("support");
    const verified = await verifyCredentials(user.email, PASSWORD);
    await edit(user, { role: "user" });
    await expect(issueSessionToken(verified.id, verified.stamp)).rejects.toMatchObject({ status: 401 });
    expect(await loginTokens(user.id)).toBe(0);
  });

  it("the admin's new password after the check: nothing issued", async () => {
    const user = await person();
    const verified = await verifyCredentials(user.email, PASSWORD);
    await edit(user, { newPassword: "third password 3" });
    await expect(issueSessionToken(verified.id, verified.stamp)).rejects.toMatchObject({ status: 401 });
    expect(await loginTokens(user.id)).toBe(0);
  });
});
