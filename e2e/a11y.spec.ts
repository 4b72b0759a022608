import { expect, test } from "@playwright/test";
import { check, signedIn } from "./a11y-check";
import { demoCredential } from "./helpers";

/** The user's pages (see e2e/a11y-check.ts); the staff pages are in e2e/a11y-staff.spec.ts. */
test.describe("accessibility (axe) of the user's pages, light and dark, desktop and phone", () => {
  test.describe.configure({ timeout: 300_000 });

  test("user", async ({ browser, request }) => {
    // A VM with a finished task, so that the VM page and the task page have something to show.
    const user = demoCredential("user");
    const login = await request.post("/api/v1/auth/login", { data: { email: user.email, password: user.password } });
    const headers = { authorization: `Bearer ${((await login.json()) as { data: { token: string } }).data.token}` };
    const created = await request.post("/api/v1/vm/manage/createFromTemplate", {
      headers,
      data: { template_id: "debian-12", name: "e2e-a11y", target: "pve2", cpuCores: 1, memorySize: 1024, diskSize: 20 },
    });
    expect(created.status()).toBe(200);
    const taskId = ((await created.json()) as { data: { task_id: string } }).data.task_id;
    let vmId = "";
    await expect
      .poll(
        async () => {
          const task = ((await (await request.get(`/api/v1/tasks/${taskId}`, { headers })).json()) as { data: { status: string; vm: { id: string } } }).data;
          vmId = task.vm.id;
          return task.status;
        },
        { timeout: 60_000, intervals: [500] },
      )
      .toBe("completed");
    const page = await signedIn(browser, "user");
    try {
      expect(await check(page, ["/vms", "/vms/new", "/tasks", "/quota", "/profile", "/notifications", `/vms/${vmId}`, `/tasks/${taskId}`])).toEqual([]);
    } finally {
      await request.delete(`/api/v1/vms/${vmId}`, { headers });
    }
  });
});
