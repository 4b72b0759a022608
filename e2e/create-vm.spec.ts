import { expect, test, type APIRequestContext } from "@playwright/test";
import { demoCredential, signInAs } from "./helpers";

async function apiToken(request: APIRequestContext): Promise<string> {
  const user = demoCredential("user");
  const res = await request.post("/api/v1/auth/login", { data: { email: user.email, password: user.password } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { data: { token: string } }).data.token;
}

test.describe("create a VM (wizard and seed API, on the simulated demo cluster)", () => {
  test("a user creates a VM through the wizard, watches the task and sees it running with an IP", async ({ page }) => {
    test.setTimeout(120_000);
    await signInAs(page, "user");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New VM" }).click();
    await page.getByRole("button", { name: /ubuntu-24\.04/ }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByLabel("vCPU cores (cores)")).toHaveValue("1");
    await page.getByLabel("vCPU cores (cores)").fill("2");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("VM name").fill("e2e-web");
    await page.getByLabel("Password", { exact: true }).fill("e2e-password-1");
    await page.getByRole("button", { name: "Next" }).click();
    const review = page.getByLabel("Review");
    await expect(review).toContainText("ubuntu-24.04");
    await expect(review).toContainText("2 vCPU");
    await page.getByRole("button", { name: "Create VM" }).click();

    await expect(page).toHaveURL(/\/tasks\/clone-/);
    await expect(page.getByRole("list", { name: "Steps" })).toContainText("Clone template");
    // The task page fills in live and ends on the VM's page.
    await expect(page).toHaveURL(/\/vms\/[0-9a-f-]{36}$/, { timeout: 90_000 });
    await expect(page.getByTestId("vm-ip")).toHaveText(/^\d+\.\d+\.\d+\.\d+$/);
    await expect(page.getByText("running", { exact: true })).toBeVisible();

    await page.getByRole("link", { name: "Back to My VMs" }).click();
    const row = page.getByRole("row").filter({ hasText: "e2e-web" });
    await expect(row).toContainText("running");
  });

  test("a template the user may not use is not offered, and the API refuses it with the seed's 403", async ({ page, request }) => {
    await signInAs(page, "user");
    await page.goto("/vms/new");
    await expect(page.getByRole("button", { name: /ubuntu-24\.04/ })).toBeVisible();
    await expect(page.getByRole("button", { name: /windows-server-2022/ })).toHaveCount(0);

    const token = await apiToken(request);
    const res = await request.post("/api/v1/vm/manage/createFromTemplate", {
      headers: { authorization: `Bearer ${token}` },
      data: { template_id: "windows-server-2022", name: "win-1", target: "pve1", cpuCores: 2, memorySize: 4096, diskSize: 64 },
    });
    expect(res.status()).toBe(403);
    expect(await res.json()).toEqual({ code: 403, message: "You do not have permission to use this template", data: null });
  });

  test("values over the plan's limits are refused with the reason, in the wizard and by the API", async ({ page, request }) => {
    await signInAs(page, "user");
    await page.goto("/vms/new");
    await page.getByRole("button", { name: /debian-12/ }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("vCPU cores (cores)").fill("5");
    await expect(page.getByText("At most 4: your plan allows 4 per VM")).toBeVisible();
    await expect(page.getByText("vCPU cores: 5 cores requested, at most 4 per VM")).toBeVisible();
    await expect(page.getByRole("button", { name: "Next" })).toBeDisabled();

    const token = await apiToken(request);
    const res = await request.post("/api/v1/vm/manage/createFromTemplate", {
      headers: { authorization: `Bearer ${token}` },
      data: { template_id: "debian-12", name: "too-big", target: "pve2", cpuCores: 5, memorySize: 1024, diskSize: 20 },
    });
    expect(res.status()).toBe(400);
    const body = (await res.json()) as { message: string; data: { denials: { dimension: string; limit: number; requested: number }[] } };
    expect(body.message).toBe("Requested resources exceed the per VM limits of your compute resource plan");
    expect(body.data.denials).toEqual([expect.objectContaining({ dimension: "cpuCores", limit: 4, requested: 5 })]);
  });
});
