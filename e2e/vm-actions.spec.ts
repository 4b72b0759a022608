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

    // Stop: the live task page, then back on the VM's page, stopped.
    await actions.getByRole("button", { name: "Stop", exact: true }).click();
    await expect(page).toHaveURL(/\/tasks\/stop-/);
    await expect(page.getByRole("list", { name: "Steps" })).toContainText("Stop VM");
    await expect(page.getByText(`${name} is stopped`)).toBeVisible({ timeout: 30_000 });
    await expect(page).toHaveURL((url) => url.pathname === vmPage, { timeout: 15_000 });
    await expect(state).toHaveText("stopped");
    await expect(actions.getByRole("button")).toHaveText(["Start", "Delete"]);

    // Start.
    await actions.getByRole("button", { name: "Start", exact: true }).click();
    await expect(page).toHaveURL(/\/tasks\/start-/);
    await expect(page).toHaveURL((url) => url.pathname === vmPage, { timeout: 30_000 });
    await expect(state).toHaveText("running");

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
    await expect(page).toHaveURL(/\/tasks\/delete-/);
    await expect(page.getByRole("list", { name: "Steps" })).toContainText("Destroy VM and its disks");
    await expect(page.getByText(`${name} was deleted`)).toBeVisible({ timeout: 30_000 });
    // A deleted VM has no page to go back to: the task ends on My VMs.
    await expect(page).toHaveURL((url) => url.pathname === "/vms", { timeout: 15_000 });
    await expect(page.getByRole("heading", { name: "My VMs" })).toBeVisible();
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);

    const res = await request.get(vmPage.replace("/vms/", "/api/v1/vms/"), { headers });
    expect(res.status()).toBe(404);
  });
});
