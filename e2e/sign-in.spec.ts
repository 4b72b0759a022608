import { expect, test } from "@playwright/test";
import { demoCredential, mainNav, onPath } from "./helpers";

test.describe("sign-in form", () => {
  test("a wrong password is refused with a message", async ({ page }) => {
    const { email, password } = demoCredential("user");
    await page.goto("/signin");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(`${password}-wrong`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password" })).toBeVisible();
    await expect(page).toHaveURL(onPath("/signin"));
    await expect(mainNav(page)).toHaveCount(0);
    await page.goto("/vms");
    await expect(page).toHaveURL(onPath("/signin"));
  });

  test("the form checks its fields before sending anything", async ({ page }) => {
    const sent: string[] = [];
    page.on("request", (req) => {
      if (req.url().includes("/api/auth/callback/")) sent.push(req.url());
    });
    await page.goto("/signin");
    const signIn = page.getByRole("button", { name: "Sign in", exact: true });

    await signIn.click();
    await expect(page.getByText("Enter your email address")).toBeVisible();
    await expect(page.getByText("Enter your password")).toBeVisible();
    await expect(page.getByLabel("Email", { exact: true })).toHaveAttribute("aria-invalid", "true");

    await page.getByLabel("Email", { exact: true }).fill("not-an-email");
    await signIn.click();
    await expect(page.getByText("Enter a valid email address")).toBeVisible();
    await expect(page.getByText("Enter your password")).toBeVisible();

    await expect(page).toHaveURL(onPath("/signin"));
    expect(sent, "no credentials were posted").toEqual([]);
  });
});
