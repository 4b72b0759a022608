import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { onPath, readState } from "./helpers";

test.describe("demo start-up", () => {
  test("prints the four demo accounts once, and each password works", async ({ request }) => {
    const state = readState();
    const stdout = readFileSync(state.serverLog, "utf8");
    expect(stdout.split("These passwords are shown only once:").length - 1, "the banner is printed exactly once").toBe(1);
    expect(state.credentials.map(({ role, email }) => ({ role, email }))).toEqual([
      { role: "admin", email: "admin@hangar.local" },
      { role: "support", email: "support@hangar.local" },
      { role: "user", email: "user@hangar.local" },
      { role: "gpu-user", email: "gpu@hangar.local" },
    ]);
    expect(new Set(state.credentials.map((c) => c.password)).size, "every account gets its own password").toBe(4);

    for (const { role, email, password } of state.credentials) {
      const login = await request.post("/api/v1/auth/login", { data: { email, password } });
      expect(login.status(), `${email} signs in with the printed password`).toBe(200);
      const { data } = (await login.json()) as { data: { token: string } };
      const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${data.token}` } });
      expect(me.status()).toBe(200);
      // The GPU-lab account is an ordinary user on another plan.
      expect(((await me.json()) as { data: unknown }).data).toMatchObject({ email, role: role === "gpu-user" ? "user" : role });
    }
  });

  test("an anonymous visit to /vms is sent to the sign-in page", async ({ page }) => {
    await page.goto("/vms");
    await expect(page).toHaveURL(onPath("/signin"));
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
  });

  test("pages name the portal's icon, served to anyone (no /favicon.ico 404 in every page's console)", async ({ page, request }) => {
    await page.goto("/signin");
    const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
    expect(href).toMatch(/^\/icon\.svg/);
    const icon = await request.get(href!);
    expect(icon.status()).toBe(200);
    expect(icon.headers()["content-type"]).toContain("image/svg+xml");
  });
});
