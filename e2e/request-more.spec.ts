import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { demoCredential, readState, signInAs } from "./helpers";

/**
 * "Request more" end to end (issue 14): the demo user is denied in the wizard (5 vCPU against
 * the standard plan's 4 per VM), asks for exactly the missing core with a reason, an admin
 * approves it in the queue, the user is notified, sees the request approved on My Quota, and the
 * same create is now accepted; on the new VM's page, Resize past the raised limit offers the same. Axe checks the new form and pages on the way (one theme each).
 * Afterwards the grant, the request and the VM are removed from the run's database, so that the
 * specs after this one see the demo user's plan as before.
 */
const VM_NAME = "e2e-more";
const REASON = "Compiling the kernel needs a fifth core";

async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const state = readState();
  const url = new URL(state.database.adminUrl);
  url.pathname = `/${state.database.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function noAxeViolations(page: Page, where: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  expect(violations.map((v) => `${where}: ${v.id} at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`)).toEqual([]);
}

/** The wizard up to the Size step with 5 vCPU on debian-12 (one more than the plan allows per VM). */
async function sizeWithFiveCores(page: Page) {
  await page.goto("/vms/new");
  await page.getByRole("button", { name: /debian-12/ }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel(/^v?CPU cores/).fill("5");
}

test.describe("request more", () => {
  const cleanUp = () =>
    withDb(async (c) => {
      const user = demoCredential("user").email;
      await c.query(`DELETE FROM "QuotaGrant" WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [user]);
      await c.query(`DELETE FROM "QuotaRequest" WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [user]);
      await c.query(`DELETE FROM "Notification" WHERE kind = 'quota_request_decided'`);
      await c.query(`UPDATE "Vm" SET "deletedAt" = now() WHERE name = $1 AND "deletedAt" IS NULL`, [VM_NAME]);
    });
  test.beforeAll(cleanUp);
  test.afterAll(cleanUp);

  test("denied in the wizard → request with a reason → admin approves → user notified → the same create succeeds", async ({ page, browser }) => {
    test.setTimeout(120_000);
    const user = demoCredential("user");
    await signInAs(page, "user");
    await sizeWithFiveCores(page);
    await expect(page.getByRole("button", { name: "Next" })).toBeDisabled();

    // The form is prefilled with exactly the limit exceeded and the amount missing.
    await page.getByRole("button", { name: "Request more" }).click();
    const form = page.getByTestId("request-more");
    await expect(form.getByLabel("CPU cores per VM: more")).toHaveValue("1");
    await expect(form.getByRole("spinbutton")).toHaveCount(1);
    await noAxeViolations(page, "wizard with the request form");
    // The reason is required.
    await form.getByRole("button", { name: "Send request" }).click();
    await expect(form.getByText("Say why, in at least 10 characters")).toBeVisible();
    await form.getByLabel("Why do you need it?").fill(REASON);
    await form.getByLabel("For how long").selectOption("7");
    await form.getByRole("button", { name: "Send request" }).click();
    await expect(page.getByText("Request sent")).toBeVisible();

    // The admin sees the count and the queue, and approves.
    const admin = await (await browser.newContext({ baseURL: readState().baseURL })).newPage();
    await signInAs(admin, "admin");
    await admin.goto("/admin");
    await expect(admin.getByTestId("pending-requests-count")).toHaveText(/^1\b/);
    await admin.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: /Requests/ }).click();
    const pending = admin.getByTestId("pending-quota-request").filter({ hasText: user.email });
    await expect(pending).toContainText(REASON);
    await expect(pending).toContainText("CPU cores per VM: +1");
    await expect(pending.getByLabel("Days")).toHaveValue("7");
    await noAxeViolations(admin, "admin queue");
    await pending.getByLabel("Note, or the reason for a refusal").fill("Fine for a week");
    await pending.getByRole("button", { name: "Approve for 7 days" }).click();
    await expect(admin.getByText(`Approved: ${user.email} is notified`)).toBeVisible();
    await expect(admin.getByTestId("pending-quota-request").filter({ hasText: user.email })).toHaveCount(0);
    await admin.context().close();

    // The user is told, and My Quota shows the request approved.
    await page.goto("/notifications");
    await expect(page.getByRole("list", { name: "Notifications" })).toContainText("Your request for more quota was approved");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/quota");
    const mine = page.getByTestId("my-quota-request").first();
    await expect(mine).toContainText("Approved");
    await expect(mine).toContainText("Fine for a week");
    await noAxeViolations(page, "My Quota, dark, 390 px");
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 1440, height: 900 });

    // The same create now passes the check.
    await sizeWithFiveCores(page);
    await expect(page.getByRole("button", { name: "Request more" })).toHaveCount(0);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("VM name").fill(VM_NAME);
    await page.getByLabel("Password", { exact: true }).fill("e2e-password-1");
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByLabel("Review")).toContainText("5 vCPU");
    await page.getByRole("button", { name: "Create VM" }).click();
    await expect(page).toHaveURL(/\/tasks\/clone-/);

    // Resize offers the same: growing past the raised limit (now 5 per VM) asks for exactly the rest.
    await expect(page).toHaveURL(/\/vms\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    const resize = page.getByRole("form", { name: "Resize" });
    await resize.getByLabel(/^v?CPU cores/).fill("7");
    await resize.getByRole("button", { name: "Request more" }).click();
    await expect(resize.getByTestId("request-more").getByLabel("CPU cores per VM: more")).toHaveValue("2");
  });
});
