import { expect, test } from "@playwright/test";
import { mainNav, onPath, signInAs, type DemoRole } from "./helpers";

const everyone = ["My VMs", "New VM", "Tasks", "Quota"];
const expectedNav: Record<DemoRole, string[]> = {
  user: everyone,
  "gpu-user": everyone,
  support: [...everyone, "Task monitor", "Showback"],
  admin: [...everyone, "Task monitor", "Showback", "Admin"],
};

test.describe("navigation by role", () => {
  for (const role of ["user", "support", "admin"] as const) {
    test(`${role} sees exactly their links in the top navigation`, async ({ page }) => {
      await signInAs(page, role);
      await expect(mainNav(page).getByRole("link")).toHaveText(expectedNav[role]);
      // Each link opens its page (every page's heading is its link's label), marked as current.
      for (const label of expectedNav[role]) {
        await mainNav(page).getByRole("link", { name: label, exact: true }).click();
        await expect(page.getByRole("heading", { level: 1 })).toHaveText(label);
        await expect(mainNav(page).getByRole("link", { name: label, exact: true })).toHaveAttribute("aria-current", "page");
      }
    });
  }

  test("a user gets the 404 page for admin and support pages", async ({ page }) => {
    await signInAs(page, "user");
    for (const path of ["/admin", "/support/tasks"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
      await expect(page).toHaveURL(onPath(path));
    }
  });

  test("sign out ends the session", async ({ page, browser, baseURL }) => {
    await signInAs(page, "user");
    const sessionCookie = (await page.context().cookies()).find((c) => c.name === "next-auth.session-token");
    expect(sessionCookie, "signed in with a session cookie").toBeTruthy();

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(onPath("/signin"));
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.goto("/vms");
    await expect(page).toHaveURL(onPath("/signin"));

    // The old cookie is worthless too: sign-out revoked the session on the server.
    const replay = await browser.newContext({ baseURL });
    try {
      await replay.addCookies([sessionCookie!]);
      const other = await replay.newPage();
      await other.goto("/vms");
      await expect(other).toHaveURL(onPath("/signin"));
    } finally {
      await replay.close();
    }
  });
});
