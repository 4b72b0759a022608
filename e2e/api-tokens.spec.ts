import { expect, test } from "@playwright/test";
import { card, signInAs } from "./helpers";

test.describe("personal API tokens", () => {
  test("a token created on the profile page works for the API until it is revoked", async ({ page, request }) => {
    const { email } = await signInAs(page, "user");
    await page.goto("/profile");
    const tokens = card(page, "API tokens", "form");

    const name = `e2e-${Date.now()}`;
    await tokens.getByLabel("Name", { exact: true }).fill(name);
    await tokens.getByRole("button", { name: "Create token" }).click();
    const shown = tokens.getByTestId("new-token");
    await expect(shown).toHaveText(/^\s*hgr_p\S+\s*$/);
    const token = (await shown.textContent())!.trim();
    const revoke = tokens.getByRole("button", { name: `Revoke ${name}` });
    await expect(revoke).toBeVisible();

    // `request` carries no browser cookies: only the Bearer token authenticates.
    const auth = { Authorization: `Bearer ${token}` };
    const before = await request.get("/api/v1/me", { headers: auth });
    expect(before.status()).toBe(200);
    expect(((await before.json()) as { data: unknown }).data).toMatchObject({ email, role: "user" });

    await revoke.click();
    await expect(revoke).toHaveCount(0);

    const after = await request.get("/api/v1/me", { headers: auth });
    expect(after.status()).toBe(401);
  });
});
