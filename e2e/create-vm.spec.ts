import { randomBytes } from "node:crypto";
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
    await expect(page.getByLabel("CPU cores (vCPU)")).toHaveValue("1");
    await page.getByLabel("CPU cores (vCPU)").fill("2");
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
    await page.getByLabel("CPU cores (vCPU)").fill("5");
    await expect(page.getByText("At most 4: your plan allows 4 per VM")).toBeVisible();
    await expect(page.getByText("CPU cores: 5 vCPU requested, at most 4 vCPU per VM")).toBeVisible();
    // A size that cannot be ordered has no price, and says why.
    await expect(page.getByTestId("cost-estimate")).toHaveText("Estimated cost: — (CPU cores is over your plan's 4 vCPU per VM, so this size cannot be ordered)");
    await page.getByLabel("CPU cores (vCPU)").fill("2");
    await expect(page.getByTestId("cost-estimate")).toHaveText(/^Estimated cost: \d+\.\d{2} [A-Z]{3} per month$/);
    await page.getByLabel("CPU cores (vCPU)").fill("5");
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

  test("the Access step saves pasted keys to the profile and installs several; user-data only where the provider takes it; finished steps go back", async ({ page }) => {
    test.setTimeout(90_000);
    // A well-formed ed25519 public key (type, then 32 key bytes, in SSH wire format).
    const key = (comment: string) => {
      const type = Buffer.from("ssh-ed25519");
      const wire = Buffer.concat([Buffer.from([0, 0, 0, type.length]), type, Buffer.from([0, 0, 0, 32]), randomBytes(32)]);
      return `ssh-ed25519 ${wire.toString("base64")} ${comment}`;
    };
    await signInAs(page, "user");
    await page.goto("/vms/new");
    await page.getByRole("button", { name: /debian-12/ }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("VM name").fill("e2e-keys");
    // Proxmox VE cannot take custom user-data: the field is not offered, and the reason is given.
    await expect(page.getByTestId("user-data-unavailable")).toContainText("Proxmox VE takes custom user-data only as a snippet file");
    await expect(page.getByLabel("Custom cloud-init user-data (optional)")).toHaveCount(0);

    await page.getByLabel("With SSH keys").check();
    // With no key chosen (saved or not), Next says why it does not go on.
    for (const box of await page.getByRole("checkbox").all()) await box.uncheck();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Choose at least one key" })).toBeVisible();
    const paste = page.getByRole("button", { name: "Paste a new key" });
    if (await paste.isVisible()) await paste.click();
    // Checked as on the Profile page: not a key is refused with its reason.
    await page.getByLabel("Public key").fill("ssh-ed25519 not-a-key");
    await page.getByRole("button", { name: "Save to my profile and use it" }).click();
    await expect(page.getByText("The key data is not base64")).toBeVisible();
    await page.getByLabel("Public key").fill(key("e2e-first@test"));
    await page.getByLabel("Key name").fill("e2e-first");
    await page.getByRole("button", { name: "Save to my profile and use it" }).click();
    await expect(page.getByRole("checkbox", { name: /^e2e-first / })).toBeChecked();
    await page.getByRole("button", { name: "Paste a new key" }).click();
    await page.getByLabel("Public key").fill(key("e2e-second@test"));
    await page.getByLabel("Key name").fill("e2e-second");
    await page.getByRole("button", { name: "Save to my profile and use it" }).click();
    await expect(page.getByRole("checkbox", { name: /^e2e-second / })).toBeChecked();
    await expect(page.getByRole("checkbox", { name: /^e2e-first / })).toBeChecked();

    // A finished step's pill goes back to it, from the keyboard too; the choices stay.
    const steps = page.getByRole("list", { name: "Steps" });
    await steps.getByRole("button", { name: /^2 Size/ }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByLabel("CPU cores (vCPU)")).toBeVisible();
    await expect(steps.getByRole("button")).toHaveCount(1);
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByRole("checkbox", { name: /^e2e-second / })).toBeChecked();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByLabel("Review")).toContainText("SSH keys e2e-first, e2e-second");
    await steps.getByRole("button", { name: /^1 Template/ }).click();
    await expect(page.getByRole("region", { name: "Choose a template" })).toBeVisible();

    // A VergeOS template takes user-data, checked as YAML while it is typed.
    await page.getByRole("button", { name: /vergeos-ubuntu/ }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    const userData = page.getByLabel("Custom cloud-init user-data (optional)");
    await userData.fill("packages: [htop");
    await expect(page.getByText(/^User-data is not valid YAML/)).toBeVisible();
    await userData.fill("#cloud-config\npackages: [htop]");
    await expect(page.getByText(/^User-data is not valid YAML/)).toHaveCount(0);

    // Leave the demo user's profile as it was (other specs log in with a password by default).
    await page.goto("/profile");
    for (const name of ["e2e-first", "e2e-second"]) await page.getByRole("button", { name: `Delete ${name}` }).click();
    await expect(page.getByText("You have no SSH keys yet.")).toBeVisible();
  });
});
