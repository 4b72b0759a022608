import { expect, test, type Page } from "@playwright/test";
import { blockExternalRequests, card, mainNav, onPath, readState, signInAs } from "./helpers";

/** The demo login and consent pages of oidc-provider's development interactions. */
async function signInWithSso(page: Page, login: string): Promise<void> {
  await ssoAttempt(page, login);
  await expect(page).toHaveURL((url) => url.origin === new URL(readState().baseURL).origin && url.pathname === "/vms");
}

/** Goes through the IdP's login and consent as `login`; Hangar then decides where the browser lands. */
async function ssoAttempt(page: Page, login: string): Promise<void> {
  const { oidc } = readState();
  await blockExternalRequests(page.context());
  await page.goto("/signin");
  await page.getByRole("button", { name: `Continue with ${oidc.name}` }).click();

  await expect(page).toHaveURL((url) => url.origin === oidc.issuer && url.pathname.startsWith("/interaction/"));
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();

  // Consent for the scopes Hangar asks for.
  await expect(page.getByRole("listitem").filter({ hasText: /^email$/ })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: /^profile$/ })).toBeVisible();
  await page.getByRole("button", { name: "Continue" }).click();
}

async function expectSignedInAsGrace(page: Page): Promise<void> {
  await expect(mainNav(page).getByRole("link", { name: "My VMs", exact: true })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
  await page.goto("/profile");
  const account = card(page, "Account", "dl");
  const field = (label: string) => account.locator("dl > div").filter({ has: page.locator("dt").getByText(label, { exact: true }) }).locator("dd");
  await expect(field("Email")).toHaveText("grace@sso.example");
  await expect(field("Name")).toHaveText("Grace");
  await expect(field("Role")).toHaveText("user");
}

test.describe("single sign-on (OpenID Connect)", () => {
  test("a new person signs in with the IdP and comes back as the same user", async ({ page, browser, baseURL }) => {
    await signInWithSso(page, "grace");
    await expectSignedInAsGrace(page);

    // A second sign-in, from a browser that neither Hangar nor the IdP has seen before.
    const second = await browser.newContext({ baseURL });
    try {
      const again = await second.newPage();
      await signInWithSso(again, "grace");
      await expectSignedInAsGrace(again);
    } finally {
      await second.close();
    }

    // Both sign-ins found one account: no duplicate was created.
    const admin = await browser.newContext({ baseURL });
    try {
      const adminPage = await admin.newPage();
      await signInAs(adminPage, "admin");
      await adminPage.goto("/admin/users");
      const rows = adminPage.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: "grace@sso.example" });
      await expect(rows).toHaveCount(1);
      await expect(rows.getByRole("cell").nth(1)).toHaveText("user");
      await expect(adminPage).toHaveURL(onPath("/admin/users"));
    } finally {
      await admin.close();
    }
  });

  test("an IdP signing the admin's email without verifying it gets no session, and the admin's account stays unlinked", async ({ page, browser, baseURL }) => {
    await ssoAttempt(page, "mallory");
    await expect(page).toHaveURL(onPath("/signin"));
    await expect(page.getByRole("alert").filter({ hasText: "Your identity provider" })).toContainText("has not verified your email address");
    // No session: the portal sends the browser back to sign in.
    await page.goto("/vms");
    await expect(page).toHaveURL(onPath("/signin"));
    await expect(mainNav(page)).toHaveCount(0);

    // The admin still signs in with the password, and the account is not linked to single sign-on.
    const admin = await browser.newContext({ baseURL });
    try {
      const adminPage = await admin.newPage();
      await signInAs(adminPage, "admin");
      await adminPage.goto("/admin/users");
      await adminPage.getByRole("table", { name: "Users" }).getByRole("link", { name: "admin@hangar.local" }).click();
      await expect(adminPage.getByText(/· password$/)).toBeVisible();
      await expect(adminPage.getByText(/· single sign-on$/)).toHaveCount(0);
    } finally {
      await admin.close();
    }
  });
});
