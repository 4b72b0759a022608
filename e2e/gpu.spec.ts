import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { demoCredential, readState, signInAs } from "./helpers";
import { ROOT } from "./state";

/**
 * GPU machines in the browser (issue 11, item 10), as the demo's GPU-lab user (gpu@hangar.local,
 * plan gpu-lab) on the demo's simulated Nova Cloud account: two RTX 4090s reserved for 3 months,
 * with the deposit, monthly cost and cancellation fee shown before committing; and an
 * interruptible machine that the provider interrupts (the admins' demo hook, `npm run hangar --
 * simulator interrupt`, which talks to the simulator's control API and asks the worker to look at
 * once), after which the VM page says "interrupted" and the bell has the notification.
 */

/** Runs the `hangar` CLI against the run's database (as an admin would beside the running portal). */
function hangarCli(args: string[]): Promise<string> {
  const state = readState();
  const url = new URL(state.database.adminUrl);
  url.pathname = `/${state.database.name}`;
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), ["lib/cli/main.ts", ...args], {
      cwd: ROOT,
      env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: url.toString(), HANGAR_DATA_DIR: state.dataDir, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("exit", (code: number | null) => (code === 0 ? resolve(out) : reject(new Error(`hangar ${args.join(" ")} exited ${code}: ${out}`))));
  });
}

/** The GPU-lab user's API token (seed API login). */
async function apiToken(request: APIRequestContext): Promise<string> {
  const { email, password } = demoCredential("gpu-user");
  const res = await request.post("/api/v1/auth/login", { data: { email, password } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { data: { token: string } }).data.token;
}

test.describe("GPU machines (the demo's Nova Cloud account)", () => {
  test("rents two RTX 4090s reserved for 3 months: sees the deposit, monthly cost and cancellation fee before committing, then the VM page shows GPU, rental type and reservation end", async ({ page }, info) => {
    test.setTimeout(60_000);
    const name = `e2e-reserved-${info.retry}-${Date.now().toString(36)}`;
    await signInAs(page, "gpu-user");
    await page.goto("/vms/new");
    await page.getByRole("button", { name: /ubuntu24-nvidia/ }).click();
    await page.getByRole("button", { name: "Next" }).click();

    // The GPU step: type cards, the count, the rental type, and the price before commit.
    await page.getByTestId("gpu-card-4090").click();
    await page.locator("#gpuCount").selectOption("2");
    await page.getByRole("radio", { name: "Reserved 3 months" }).check();
    const price = page.getByTestId("gpu-price");
    await expect(price.getByTestId("price-deposit-due-now-")).toHaveText(/^\d[\d,]*\.\d{2} USD$/);
    await expect(price.getByTestId("price-monthly-cost")).toHaveText(/^\d[\d,]*\.\d{2} USD$/);
    await expect(price.getByTestId("price-cancellation-fee")).toHaveText(/^\d[\d,]*\.\d{2} USD$/);
    await expect(price).toContainText("Total for 3 months");
    const deposit = await price.getByTestId("price-deposit-due-now-").innerText();
    const fee = await price.getByTestId("price-cancellation-fee").innerText();
    await page.getByRole("button", { name: "Next" }).click();

    // Sizes come with the offer: shown, not typed (2 × 6 vCPU, 2 × 32 GB).
    await expect(page.getByTestId("size-from-offer")).toContainText(/2 × RTX 4090 come with 12 vCPU and 64 GiB/);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("VM name").fill(name);
    await page.getByLabel("With a password").check();
    await page.getByLabel("Password", { exact: true }).fill("e2e-gpu-password-1");
    await page.getByRole("button", { name: "Next" }).click();

    // Review: the same prices, before anything is ordered.
    const review = page.getByLabel("Review");
    await expect(review).toContainText("2 × RTX 4090");
    await expect(review).toContainText("Reserved 3 months");
    await expect(review).toContainText(`Deposit (due now)${deposit}`);
    await expect(review).toContainText(/Monthly cost\d[\d,]*\.\d{2} USD/);
    await expect(review).toContainText(`Cancellation fee${fee}`);
    await page.getByRole("button", { name: "Create VM" }).click();

    await expect(page).toHaveURL(/\/tasks\/clone-/);
    await expect(page).toHaveURL(/\/vms\/[0-9a-f-]{36}$/, { timeout: 40_000 });
    await expect(page.getByTestId("vm-state")).toHaveText("running");
    await expect(page.getByTestId("vm-gpu")).toHaveText("2 × 4090");
    await expect(page.getByTestId("vm-rental-type")).toHaveText("Reserved 3 months");
    // The reservation runs 3 months from when it was built.
    const ends = new Date();
    ends.setUTCMonth(ends.getUTCMonth() + 3);
    await expect(page.getByTestId("vm-reservation-ends")).toHaveText(new RegExp(`^${ends.toISOString().slice(0, 7)}-\\d\\d$`));
    // A rented machine's size comes with the offer: the page says it cannot be resized, no dead form.
    await expect(page.getByText("Nova Cloud does not support this action: resize.")).toBeVisible();
    await expect(page.getByRole("form", { name: "Resize" })).toHaveCount(0);
  });

  test("an interruptible machine is interrupted by the provider: the VM page says interrupted and the user is notified", async ({ page, request }, info) => {
    test.setTimeout(60_000);
    const name = `e2e-spot-${info.retry}-${Date.now().toString(36)}`;
    const token = await apiToken(request);
    const created = await request.post("/api/v1/vm/manage/createFromTemplate", {
      headers: { authorization: `Bearer ${token}` },
      data: { template_id: "ubuntu22-nvidia", name, target: "vm01", cpuCores: 6, memorySize: 32768, diskSize: 100, cipassword: "e2e-gpu-password-2", gpuType: "4090", gpuCount: 1, rentalType: "interruptible" },
    });
    expect(created.status(), await created.text()).toBe(200);
    const taskId = ((await created.json()) as { data: { task_id: string } }).data.task_id;
    await expect(async () => {
      const task = await request.get(`/api/v1/tasks/${taskId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await task.json()) as { data: { status: string } }).data.status).toBe("completed");
    }).toPass({ timeout: 30_000, intervals: [500] });

    await signInAs(page, "gpu-user");
    await page.getByRole("link", { name, exact: true }).click();
    await expect(page.getByTestId("vm-state")).toHaveText("running");
    await expect(page.getByTestId("vm-rental-type")).toHaveText("Interruptible");

    expect(await hangarCli(["simulator", "interrupt", name])).toContain(`${name} (`);
    // The worker's sweep marks it; the page shows it on its next load.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("vm-state")).toHaveText("interrupted", { timeout: 1_000 });
    }).toPass({ timeout: 20_000, intervals: [1_000] });
    const bell = page.getByTestId("notification-bell");
    await expect(bell.getByTestId("notification-count")).toBeVisible();
    await bell.click();
    await expect(page.getByRole("list", { name: "Notifications" })).toContainText(`Your VM ${name} was interrupted`);
  });
});
