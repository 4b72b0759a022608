import { expect, test } from "@playwright/test";
import pg from "pg";
import { demoCredential, readState, signInAs } from "./helpers";

/**
 * The support console (issue 12): support finds a failed task by its VM's name, reads the
 * provider's error in full, retries it and sees it complete. The failure is injected into the
 * demo cluster's PVE simulator (its control API), the request made through the seed API.
 */
async function simulatorUrl(): Promise<string> {
  const state = readState();
  const url = new URL(state.database.adminUrl);
  url.pathname = `/${state.database.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ baseUrl: string }>(`SELECT "baseUrl" FROM "ProviderConnection" WHERE kind = 'pve' ORDER BY "createdAt" LIMIT 1`);
    return new URL(rows[0]!.baseUrl).origin;
  } finally {
    await client.end();
  }
}

test("support finds a failed task by VM name, reads the provider's error, retries it and sees it complete", async ({ page, request }) => {
  test.setTimeout(120_000);
  const name = `e2e-retry-${Date.now().toString(36)}`;
  const message = "start failed: QEMU exited with code 1: kvm: -device vfio-pci,host=0000:65:00.0: vfio 0000:65:00.0: failed to open /dev/vfio/42: No such file or directory";
  const fault = await request.post(`${await simulatorUrl()}/__simulator/faults`, { data: { action: "failTask", type: "qmstart", message } });
  expect(fault.status()).toBe(200);

  const user = demoCredential("user");
  const login = await request.post("/api/v1/auth/login", { data: { email: user.email, password: user.password } });
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  const created = await request.post("/api/v1/vm/manage/createFromTemplate", {
    headers: { Authorization: `Bearer ${token}` },
    data: { template_id: "ubuntu-24.04", name, target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 },
  });
  expect(created.status(), await created.text()).toBe(200);

  await signInAs(page, "support");
  await page.goto("/support/tasks");
  await page.getByRole("search", { name: "Find tasks" }).getByPlaceholder(/VM name/).fill(name);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("row").filter({ hasText: name });
  // The list refreshes itself until the task has failed.
  await expect(row).toContainText("failed", { timeout: 60_000 });
  // A failed create's VM is gone (kept only for a retry), so its name is shown, not linked.
  await expect(row).toContainText(name);
  await expect(row).toContainText(user.email);

  // The provider's words in full, on demand.
  await row.getByTitle("Show the provider's error in full").click();
  await expect(row.getByText(message, { exact: false })).toBeVisible();

  await row.getByRole("button", { name: "Retry" }).click();
  await expect(row).toContainText("completed", { timeout: 60_000 });
  await expect(page.getByText(/updated \d+ s ago/)).toBeVisible();

  // The task page tells who retried it, and the clone's progress lines are folded into one.
  await row.getByRole("link", { name: /^vm\.create-|^clone-/ }).first().click();
  const log = page.getByLabel("Task log");
  await expect(log).toContainText(`Retried by ${demoCredential("support").email} from the step "Start VM"`);
  await expect(log.getByText(/progress lines/)).toBeVisible();
});
