import { expect, test } from "@playwright/test";
import pg from "pg";
import { card, demoCredential, readState, signInAs } from "./helpers";

/**
 * Notifications in the browser (issue 12, item 5): the bell's unread count (polled), the
 * Notifications page with mark read / mark all read, and the Profile card for email. The
 * notifications are written straight into the run's database, as the task engine's notify() would.
 */
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

async function addNotification(email: string, kind: string, title: string, body: string, link: string | null): Promise<void> {
  await withDb((c) =>
    c.query(`INSERT INTO "Notification" (id, "userId", kind, title, body, link) SELECT gen_random_uuid()::text, id, $2, $3, $4, $5 FROM "User" WHERE email = $1`, [email, kind, title, body, link]),
  );
}

test.describe("notifications", () => {
  const user = () => demoCredential("user").email;
  const clear = () => withDb((c) => c.query(`DELETE FROM "Notification" WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [user()]));
  test.beforeAll(clear);
  test.afterAll(clear);

  test("a user sees the unread count on the bell, reads the notifications and marks them read", async ({ page }) => {
    test.setTimeout(90_000);
    await addNotification(user(), "task_failed", "Creating your VM e2e-broken failed", "The provider's storage is full; choose another storage", "/tasks/clone-e2e-none");
    await addNotification(user(), "task_completed", "Your VM e2e-fine is running", "The task finished successfully.", "/vms");
    await signInAs(page, "user");
    const bell = page.getByTestId("notification-bell");
    await expect(bell.getByTestId("notification-count")).toHaveText("2");
    await expect(bell).toHaveAccessibleName("Notifications, 2 unread");

    // A new one arrives while the page is open: the bell polls.
    await addNotification(user(), "quota_near", "Your vCPU cores quota is 80 % used", "You have used 8 of 10 cores (80 %).", "/quota");
    await expect(bell.getByTestId("notification-count")).toHaveText("3", { timeout: 25_000 });

    await bell.click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Notifications");
    const list = page.getByRole("list", { name: "Notifications" });
    await expect(list.getByRole("listitem")).toHaveCount(3);
    // Newest first.
    await expect(list.getByRole("listitem").first()).toContainText("Your vCPU cores quota is 80 % used");
    await expect(list).toContainText("The provider's storage is full; choose another storage");

    await page.getByRole("button", { name: "Mark read: Your VM e2e-fine is running" }).click();
    await expect(page.getByText("2 unread")).toBeVisible();
    await expect(bell.getByTestId("notification-count")).toHaveText("2");

    await page.getByRole("button", { name: "Mark all read" }).click();
    await expect(page.getByText("No unread notifications.")).toBeVisible();
    await expect(bell.getByTestId("notification-count")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Mark read: / })).toHaveCount(0);

    // The failed task's notification links to its task page.
    await expect(list.getByRole("link", { name: "Creating your VM e2e-broken failed" })).toHaveAttribute("href", "/tasks/clone-e2e-none");
  });

  test("the Profile page offers the email choices and says when the portal sends no email", async ({ page }) => {
    await signInAs(page, "user");
    await page.goto("/profile");
    const emailCard = card(page, "Email notifications", "fieldset");
    await expect(emailCard).toContainText("This portal does not send email");
    await expect(emailCard.getByLabel("Task failed")).toBeChecked();
    await expect(emailCard.getByLabel("Task completed")).not.toBeChecked();
    await emailCard.getByLabel("Task completed").check();
    await emailCard.getByRole("button", { name: "Save email choices" }).click();
    await expect(emailCard.getByText("Saved.")).toBeVisible();
    await page.reload();
    await expect(card(page, "Email notifications", "fieldset").getByLabel("Task completed")).toBeChecked();
    await card(page, "Email notifications", "fieldset").getByLabel("Task completed").uncheck();
    await card(page, "Email notifications", "fieldset").getByRole("button", { name: "Save email choices" }).click();
    await expect(card(page, "Email notifications", "fieldset").getByText("Saved.")).toBeVisible();
  });
});
