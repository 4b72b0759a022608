import { expect, test } from "@playwright/test";
import { check, firstDetail, signedIn } from "./a11y-check";

/**
 * The signed-out, support and admin pages (see e2e/a11y-check.ts). These only read, and use no
 * account the other specs change, so this file runs in its own project beside them
 * (playwright.config.ts): the axe runs overlap the other specs' waits for tasks.
 */
test.describe("accessibility (axe) of the sign-in, support and admin pages, light and dark, desktop and phone", () => {
  test.describe.configure({ timeout: 300_000 });

  test("signed out", async ({ page }) => {
    expect(await check(page, ["/signin"])).toEqual([]);
  });

  test("support", async ({ browser }) => {
    const page = await signedIn(browser, "support");
    expect(await check(page, ["/support/tasks"])).toEqual([]);
  });

  test("admin: overview and lists", async ({ browser }) => {
    const page = await signedIn(browser, "admin");
    expect(await check(page, ["/admin", "/admin/providers", "/admin/templates", "/admin/plans", "/admin/teams", "/admin/users", "/admin/prices", "/admin/audit", "/admin/quota-requests"])).toEqual([]);
  });

  test("admin: forms and detail pages", async ({ browser }) => {
    const page = await signedIn(browser, "admin");
    const details = [];
    for (const list of ["/admin/providers", "/admin/templates", "/admin/plans", "/admin/users"]) details.push(await firstDetail(page, list));
    const provider = details[0]!;
    expect(await check(page, ["/admin/providers/new", `${provider}/discover`, "/admin/plans/new", "/admin/teams/new", "/admin/users/new", ...details])).toEqual([]);
  });
});
