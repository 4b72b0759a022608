import { afterAll, beforeAll, expect, it } from "vitest";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { useMigratedDatabase } from "../testing/test-db";
import { canUseTemplate, findTemplate, listUsableTemplates } from "./access";

let database: { drop: () => Promise<void> };
beforeAll(async () => {
  database = await useMigratedDatabase();
});
afterAll(async () => database.drop());

it("a non-public template is usable by its granted users and by members of its granted teams only", async () => {
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: "https://pve.example:8006", tokenId: "root@pam!t", secret: "s" }],
    users: [{ email: "ann@example.com" }, { email: "bob@example.com" }, { email: "cyd@example.com" }],
    templates: [
      { name: "open", provider: "lab", node: "pve1", vmid: 9000, public: true },
      { name: "granted", provider: "lab", node: "pve1", vmid: 9001, users: ["ann@example.com"] },
      { name: "team-only", provider: "lab", node: "pve1", vmid: 9002 },
    ],
  });
  const team = await db().team.create({ data: { name: "ml" } });
  const tpl = await db().template.findUniqueOrThrow({ where: { name: "team-only" } });
  await db().templateTeamGrant.create({ data: { templateId: tpl.id, teamId: team.id } });
  const [ann, bob, cyd] = await Promise.all(["ann", "bob", "cyd"].map((n) => db().user.findUniqueOrThrow({ where: { email: `${n}@example.com` } })));
  await db().user.update({ where: { id: bob!.id }, data: { teamId: team.id } });

  const names = async (id: string) => (await listUsableTemplates({ id })).map((t) => t.name);
  expect(await names(ann!.id)).toEqual(["granted", "open"]);
  expect(await names(bob!.id)).toEqual(["open", "team-only"]);
  expect(await names(cyd!.id)).toEqual(["open"]);

  const teamOnly = (await findTemplate("team-only"))!;
  expect(canUseTemplate({ id: bob!.id, teamId: team.id }, teamOnly)).toBe(true);
  expect(canUseTemplate({ id: cyd!.id, teamId: null }, teamOnly)).toBe(false);
  await db().template.update({ where: { id: tpl.id }, data: { enabled: false } });
  expect(canUseTemplate({ id: bob!.id, teamId: team.id }, (await findTemplate("team-only"))!)).toBe(false);
  expect(await names(bob!.id)).toEqual(["open"]);
});
