import { expect, test } from "@playwright/test";
import { onPath, signInAs } from "./helpers";

test.describe("credentials end with the changes that should end them", () => {
  test("an admin's Sign out everywhere ends the user's browser session at once", async ({ browser, baseURL }) => {
    const userContext = await browser.newContext({ baseURL });
    const adminContext = await browser.newContext({ baseURL });
    try {
      const userPage = await userContext.newPage();
      await signInAs(userPage, "user");

      const adminPage = await adminContext.newPage();
      await signInAs(adminPage, "admin");
      await adminPage.goto("/admin/users");
      await adminPage.getByRole("table", { name: "Users" }).getByRole("link", { name: "user@hangar.local" }).click();
      await adminPage.getByRole("button", { name: "Sign out everywhere", exact: true }).click();
      await adminPage.getByRole("button", { name: "Yes, sign out everywhere" }).click();
      await expect(adminPage.getByRole("status").filter({ hasText: "Signed out:" })).toContainText(/Signed out: \d+ browser sessions? and \d+ API logins? ended\./);

      // The user's next request finds no session.
      await userPage.goto("/vms");
      await expect(userPage).toHaveURL(onPath("/signin"));
      // The admin's own session is untouched.
      await adminPage.goto("/admin/users");
      await expect(adminPage).toHaveURL(onPath("/admin/users"));
    } finally {
      await userContext.close();
      await adminContext.close();
    }
  });
});
