import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { demoCredential, readState, signInAs, type DemoRole } from "./helpers";

/**
 * Every page, as each role sees it, in the light and the dark theme, at 1440 px and 390 px: no
 * page wider than the window, the theme the system setting asks for, and zero axe violations.
 * The full rule set (WCAG 2.1 A/AA and axe's best practices) runs once per theme, light at 1440 px
 * and dark at 390 px; the other two combinations differ only in colours and layout, so they run
 * the rules those can break (contrast, scrollable regions, landmarks' presence), which keeps the
 * spec inside CI's budget. One sign-in per role; the themes come from the emulated system setting
 * (what the portal follows until someone picks one).
 */
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const LAYOUT_RULES = ["color-contrast", "scrollable-region-focusable", "landmark-one-main", "region"];
const COMBINATIONS = [
  { theme: "light", viewport: { width: 1440, height: 900 }, full: true },
  { theme: "dark", viewport: { width: 390, height: 844 }, full: true },
  { theme: "dark", viewport: { width: 1440, height: 900 }, full: false },
  { theme: "light", viewport: { width: 390, height: 844 }, full: false },
] as const;

async function check(page: Page, paths: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { theme, viewport, full } of COMBINATIONS) {
    await page.emulateMedia({ colorScheme: theme });
    await page.setViewportSize(viewport);
    for (const path of paths) {
      await page.goto(path);
      await expect(page.locator("main#main")).toBeVisible();
      const where = `${path} ${theme} ${viewport.width}px`;
      expect(await page.evaluate(() => document.documentElement.classList.contains("dark")), `${where}: theme`).toBe(theme === "dark");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${where}: ${overflow} px wider than the window`);
      const axe = full ? new AxeBuilder({ page }).withTags(TAGS) : new AxeBuilder({ page }).withRules([...LAYOUT_RULES]);
      const { violations } = await axe.analyze();
      for (const v of violations) problems.push(`${where}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`);
    }
  }
  return problems;
}

/** The first link on `listPath` to a detail page under it (an id the demo setup made). */
async function firstDetail(page: Page, listPath: string): Promise<string> {
  await page.goto(listPath);
  const href = await page
    .locator(`main a[href^="${listPath}/"]`)
    .evaluateAll((links) => links.map((a) => a.getAttribute("href")!).find((h) => !h.endsWith("/new")));
  expect(href, `a detail link on ${listPath}`).toBeTruthy();
  return href!;
}

async function signedIn(browser: Browser, role: DemoRole): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: readState().baseURL })).newPage();
  await signInAs(page, role);
  return page;
}

test.describe("accessibility (axe) on every page, light and dark, desktop and phone", () => {
  test.describe.configure({ timeout: 300_000 });

  test("signed out", async ({ page }) => {
    expect(await check(page, ["/signin"])).toEqual([]);
  });

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

  test("support", async ({ browser }) => {
    const page = await signedIn(browser, "support");
    expect(await check(page, ["/support/tasks"])).toEqual([]);
  });

  test("admin: overview and lists", async ({ browser }) => {
    const page = await signedIn(browser, "admin");
    expect(await check(page, ["/admin", "/admin/providers", "/admin/templates", "/admin/plans", "/admin/teams", "/admin/users", "/admin/prices", "/admin/audit", "/admin/quota-requests"])).toEqual([]);
  });

  test("admin: forms and detail pages", async ({ browser }) => {
    const page = await signedIn(browser, "admin");
    const details = [];
    for (const list of ["/admin/providers", "/admin/templates", "/admin/plans", "/admin/users"]) details.push(await firstDetail(page, list));
    const provider = details[0]!;
    expect(await check(page, ["/admin/providers/new", `${provider}/discover`, "/admin/plans/new", "/admin/teams/new", "/admin/users/new", ...details])).toEqual([]);
  });
});
