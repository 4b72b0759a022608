import { expect, test, type APIRequestContext } from "@playwright/test";
import { demoCredential, signInAs } from "./helpers";

type Task = { status: string; error: string | null; vm: { id: string } | null };

async function apiToken(request: APIRequestContext): Promise<string> {
  const user = demoCredential("user");
  const res = await request.post("/api/v1/auth/login", { data: { email: user.email, password: user.password } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { data: { token: string } }).data.token;
}

test.describe("actions on a VM (VM page → task → simulated cluster)", () => {
  test("the demo user stops, starts and deletes a VM from its page, and it leaves My VMs", async ({ page, request }) => {
    test.setTimeout(120_000);
    const name = "e2e-actions";
    // The VM is made through the seed API, which is quicker than the wizard (tested elsewhere).
    const token = await apiToken(request);
    const headers = { authorization: `Bearer ${token}` };
    const created = await request.post("/api/v1/vm/manage/createFromTemplate", {
      headers,
      data: { template_id: "debian-12", name, target: "pve2", cpuCores: 1, memorySize: 1024, diskSize: 20 },
    });
    expect(created.status()).toBe(200);
    const taskId = ((await created.json()) as { data: { task_id: string } }).data.task_id;
    let task: Task | undefined;
    await expect
      .poll(
        async () => {
          task = ((await (await request.get(`/api/v1/tasks/${taskId}`, { headers })).json()) as { data: Task }).data;
          return task.status;
        },
        { timeout: 60_000, intervals: [500] },
      )
      .toBe("completed");
    const vmPage = `/vms/${task!.vm!.id}`;

    await signInAs(page, "user");
    await page.goto(vmPage);
    const state = page.getByTestId("vm-state");
    await expect(state).toHaveText("running");
    const actions = page.getByRole("group", { name: "VM actions" });
    await expect(actions.getByRole("button")).toHaveText(["Shut down", "Reboot", "Stop", "Delete"]);

    // The login line to copy, and what the VM costs.
    await expect(page.getByText(/^ssh debian@\d+\.\d+\.\d+\.\d+$/)).toBeVisible();
    await expect(page.getByTestId("vm-cost")).toHaveText(/^\d+\.\d{2} [A-Z]{3}$/);

    // Stop (a hard stop) asks first; its progress shows on the VM's page, which then says stopped.
    await actions.getByRole("button", { name: "Stop", exact: true }).click();
    const stopDialog = page.getByRole("dialog", { name: `Stop ${name} at once?` });
    await expect(stopDialog).toContainText("like pulling the plug");
    await stopDialog.getByRole("button", { name: `Stop ${name}` }).click();
    await expect(page.getByTestId("vm-task-progress")).toBeVisible();
    await expect(page).toHaveURL((url) => url.pathname === vmPage);
    await expect(state).toHaveText("stopped", { timeout: 30_000 });
    await expect(actions.getByRole("button")).toHaveText(["Start", "Delete"]);
    // A stopped VM shows no address (its last one may belong to another VM by now).
    await expect(page.getByTestId("vm-ip")).toHaveText("— (stopped)");

    // Start.
    await actions.getByRole("button", { name: "Start", exact: true }).click();
    await expect(state).toHaveText("running", { timeout: 30_000 });
    await expect(page).toHaveURL((url) => url.pathname === vmPage);

    // Delete, confirmed in a dialog that names the VM; cancelling first changes nothing.
    await actions.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${name}?` });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText("destroyed with its disks");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(page).toHaveURL((url) => url.pathname === vmPage);
    await actions.getByRole("button", { name: "Delete", exact: true }).click();
    await dialog.getByRole("button", { name: `Delete ${name}` }).click();
    await expect(page.getByTestId("vm-task-progress")).toBeVisible();
    // A deleted VM has no page to go back to: the page moves on to My VMs.
    await expect(page).toHaveURL((url) => url.pathname === "/vms", { timeout: 30_000 });
    await expect(page.getByRole("heading", { name: "My VMs" })).toBeVisible();
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);

    const res = await request.get(vmPage.replace("/vms/", "/api/v1/vms/"), { headers });
    expect(res.status()).toBe(404);
  });

  test("My VMs searches (kept in the URL), acts from a row and follows the state without a reload; cards at 390 px", async ({ page, request }) => {
    test.setTimeout(120_000);
    const name = "e2e-rows";
    const token = await apiToken(request);
    const headers = { authorization: `Bearer ${token}` };
    const created = await request.post("/api/v1/vm/manage/createFromTemplate", {
      headers,
      data: { template_id: "debian-12", name, target: "pve2", cpuCores: 1, memorySize: 1024, diskSize: 20 },
    });
    expect(created.status(), await created.text()).toBe(200);

    await signInAs(page, "user");
    await page.getByRole("searchbox", { name: "Search your VMs by name or IP address" }).fill(name);
    await expect(page).toHaveURL((url) => url.pathname === "/vms" && url.searchParams.get("q") === name);
    const row = page.getByTestId("vm-row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await expect(page.getByTestId("vm-row")).toHaveCount(1);
    // The create task is followed in place: the row turns running by itself.
    await expect(row.getByRole("cell", { name: "running" })).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId("vms-updated")).toHaveText(/^updated \d+ s ago$/);
    const rowActions = row.getByRole("group", { name: `Actions for ${name}` });
    await expect(rowActions.getByRole("button")).toHaveText(["Shut down", "Reboot", "Stop", "Delete"].map((a) => `${a} ${name}`));

    // The search survives a reload; a search matching nothing says so.
    await page.reload();
    await expect(page.getByRole("searchbox")).toHaveValue(name);
    await expect(page.getByTestId("vm-row")).toHaveCount(1);
    await page.getByRole("searchbox").fill("no-such-vm-anywhere");
    await expect(page.getByText("No VM’s name or address contains “no-such-vm-anywhere”.")).toBeVisible();
    await page.getByRole("searchbox").fill(name);

    // Hard Stop asks first, then the row follows the task to stopped; Start brings it back.
    await rowActions.getByRole("button", { name: `Stop ${name}`, exact: true }).click();
    await page.getByRole("dialog", { name: `Stop ${name} at once?` }).getByRole("button", { name: `Stop ${name}` }).click();
    await expect(rowActions.getByRole("button")).toHaveText([`Start ${name}`, `Delete ${name}`], { timeout: 30_000 });
    await expect(row.getByRole("cell", { name: "stopped" })).toBeVisible();
    await rowActions.getByRole("button", { name: `Start ${name}` }).click();
    await expect(row.getByRole("cell", { name: "running" })).toBeVisible({ timeout: 30_000 });

    // At 390 px the rows are cards whose cells are labelled; the actions are still there.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(row.locator('td[data-label="IP address"]')).toHaveCSS("display", "block");
    await expect(rowActions.getByRole("button", { name: `Delete ${name}` })).toBeVisible();

    // Delete, confirmed; the row leaves the list by itself when the task completes.
    await rowActions.getByRole("button", { name: `Delete ${name}` }).click();
    await page.getByRole("dialog", { name: `Delete ${name}?` }).getByRole("button", { name: `Delete ${name}` }).click();
    await expect(page.getByTestId("vm-row")).toHaveCount(0, { timeout: 30_000 });
  });
});
