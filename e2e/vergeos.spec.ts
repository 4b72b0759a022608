import { expect, test } from "@playwright/test";
import { signInAs } from "./helpers";

test.describe("VergeOS (the demo's simulated VergeOS system)", () => {
  test("the wizard creates a VergeOS VM with a GPU, the VM page shows it running, and the user stops, starts and deletes it", async ({ page }, info) => {
    test.setTimeout(150_000);
    // A retry must not collide with the VM an earlier attempt left behind.
    const name = `e2e-verge-${info.retry}`;
    await signInAs(page, "user");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New VM" }).click();
    await page.getByRole("button", { name: /vergeos-ubuntu/ }).click();
    await page.getByRole("button", { name: "Next" }).click();
    // VergeOS places a VM in a cluster: the template's home cluster is suggested.
    await expect(page.getByLabel("Cluster")).toHaveValue("hangar-verge");
    // On the Size step the demo's mapped resource group is offered as "RTX 4090", beside "No GPU".
    const gpuCard = page.getByTestId("gpu-card-4090");
    await expect(gpuCard).toContainText("RTX 4090");
    await gpuCard.click();
    await expect(gpuCard).toHaveAttribute("aria-pressed", "true");
    // Next waits for the order's price from the server.
    await expect(async () => {
      await page.getByRole("button", { name: "Next" }).click();
      await expect(page.getByLabel("VM name")).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await page.getByLabel("VM name").fill(name);
    await page.getByLabel("Password", { exact: true }).fill("e2e-password-1");
    await page.getByRole("button", { name: "Next" }).click();
    const review = page.getByLabel("Review");
    await expect(review).toContainText("vergeos-ubuntu");
    await expect(review).toContainText("demo-vergeos / hangar-verge");
    await expect(review).toContainText("RTX 4090");
    await page.getByRole("button", { name: "Create VM" }).click();

    // The steps fill in live: VergeOS's own (VM, boot drive, NIC, power on, address).
    await expect(page).toHaveURL(/\/tasks\/clone-/);
    const steps = page.getByRole("list", { name: "Steps" });
    await expect(steps).toContainText("Create the VM");
    await expect(steps).toContainText("Add the boot drive");
    await expect(steps).toContainText("Attach 1 GPU");
    await expect(page).toHaveURL(/\/vms\/[0-9a-f-]{36}$/, { timeout: 90_000 });
    const vmPage = new URL(page.url()).pathname;
    await expect(page.getByTestId("vm-ip")).toHaveText(/^\d+\.\d+\.\d+\.\d+$/);
    const state = page.getByTestId("vm-state");
    await expect(state).toHaveText("running");
    await expect(page.getByTestId("vm-gpu")).toHaveText("1 × 4090");
    const actions = page.getByRole("group", { name: "VM actions" });

    // Stop asks first; the VM page follows the task in place, then says stopped.
    await actions.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByRole("dialog", { name: `Stop ${name} at once?` }).getByRole("button", { name: `Stop ${name}` }).click();
    // (The simulated VergeOS stops at once: the progress may come and go before it can be seen.)
    await expect(state).toHaveText("stopped", { timeout: 30_000 });
    await expect(page).toHaveURL((url) => url.pathname === vmPage);

    await actions.getByRole("button", { name: "Start", exact: true }).click();
    await expect(state).toHaveText("running", { timeout: 30_000 });
    await expect(page).toHaveURL((url) => url.pathname === vmPage);

    await actions.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("dialog", { name: `Delete ${name}?` }).getByRole("button", { name: `Delete ${name}` }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/vms", { timeout: 30_000 });
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
  });
});
